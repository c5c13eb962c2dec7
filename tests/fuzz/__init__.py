"""A bounded mutation fuzzer for validate, load, diff, export, site and release zips (issue 13, part 6).

`operators` breaks a scratch copy of the project in small named ways, `worker` runs the commands
on it in a long-lived process, `oracle` is the strict reading that `load()` must agree with, and
`pool` runs cases in worker processes under a watchdog and reports distinct crash causes.
"""
