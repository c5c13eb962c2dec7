# read_newsfacts(path_or_url): every newsfacts table as a tibble, typed by its Table Schema.
#
# Needs only readr and jsonlite (Debian: r-cran-readr r-cran-jsonlite).
#
#   source("scripts/read_newsfacts.R")
#   tables <- read_newsfacts("datapackage/datapackage.json")
#   str(tables$quotes)
#
# `path_or_url` is what frictionless::read_package() takes (a path or http(s) URL of a
# datapackage.json) or a directory holding one (the repository, or datapackage/ itself).
# Table Schema types become: date -> Date; integer -> integer; string with an enum ->
# factor with the enum as levels, in order; string -> character; number -> double;
# boolean -> logical. The CSV is read as frictionless::read_resource() reads it: the
# schema's missingValues ("" here) are NA, whitespace is kept, nothing is guessed.
# A value that does not parse as its type stops with an error instead of becoming NA.
#
# Run as a script, it prints the structure of every table:
#   Rscript scripts/read_newsfacts.R [path_or_url]

read_newsfacts <- function(path_or_url = ".") {
  descriptor_location <- newsfacts_descriptor_location(path_or_url)
  descriptor <- jsonlite::fromJSON(readr::read_file(descriptor_location), simplifyVector = FALSE)
  # Resource paths are relative to the descriptor, for files and URLs alike.
  base <- sub("[^/]*$", "", descriptor_location)
  tables <- lapply(descriptor$resources, newsfacts_read_resource, base = base)
  names(tables) <- vapply(descriptor$resources, function(resource) resource$name, character(1))
  tables
}

newsfacts_descriptor_location <- function(path_or_url) {
  if (grepl("^https?://", path_or_url)) {
    return(path_or_url)
  }
  if (dir.exists(path_or_url)) {
    candidates <- file.path(path_or_url, c("datapackage/datapackage.json", "datapackage.json"))
    found <- candidates[file.exists(candidates)]
    if (length(found) == 0) {
      stop(sprintf("%s holds neither datapackage/datapackage.json nor datapackage.json", path_or_url), call. = FALSE)
    }
    path_or_url <- found[[1]]
  }
  normalizePath(path_or_url, winslash = "/", mustWork = TRUE)
}

newsfacts_read_resource <- function(resource, base) {
  path <- resource$path
  # The descriptor is data, not code: never read outside the package.
  if (!is.character(path) || length(path) != 1 || grepl("^[A-Za-z][A-Za-z0-9+.-]*:|^/|\\\\", path) ||
    any(startsWith(strsplit(path, "/", fixed = TRUE)[[1]], "."))) {
    stop(sprintf("resource %s: refusing path %s: it must be relative and stay inside the package",
                 resource$name, deparse(path)), call. = FALSE)
  }
  schema <- resource$schema
  fields <- schema$fields
  field_names <- vapply(fields, function(field) field$name, character(1))
  collectors <- stats::setNames(lapply(fields, newsfacts_collector), field_names)
  dialect <- resource$dialect
  table <- readr::read_delim(
    paste0(base, path),
    delim = newsfacts_or(dialect$delimiter, ","),
    quote = newsfacts_or(dialect$quoteChar, "\""),
    escape_double = newsfacts_or(dialect$doubleQuote, TRUE),
    col_types = do.call(readr::cols, collectors),
    na = newsfacts_or(unlist(schema$missingValues), ""),
    trim_ws = newsfacts_or(dialect$skipInitialSpace, FALSE),
    locale = readr::locale(encoding = newsfacts_or(resource$encoding, "UTF-8")),
    skip_empty_rows = TRUE,
    progress = FALSE
  )
  if (!identical(names(table), field_names)) {
    stop(sprintf("resource %s: header (%s) does not match the schema (%s)", resource$name,
                 paste(names(table), collapse = ", "), paste(field_names, collapse = ", ")), call. = FALSE)
  }
  problems <- readr::problems(table)
  if (nrow(problems) > 0) {
    first <- problems[1, ]
    stop(sprintf("resource %s: %d value(s) do not parse; line %d, column %d: expected %s, got %s",
                 resource$name, nrow(problems), first$row, first$col, first$expected, deparse(first$actual)),
         call. = FALSE)
  }
  # Drop readr's column spec and problem records: the result is a plain tibble.
  attr(table, "spec") <- NULL
  attr(table, "problems") <- NULL
  class(table) <- c("tbl_df", "tbl", "data.frame")
  table
}

newsfacts_collector <- function(field) {
  type <- newsfacts_or(field$type, "string")
  enum <- unlist(field$constraints$enum)
  if (type == "string" && length(enum) > 0) {
    return(readr::col_factor(levels = enum))
  }
  if (type == "date" && newsfacts_or(field$format, "default") != "default") {
    stop(sprintf("field %s: date format %s is not supported", field$name, field$format), call. = FALSE)
  }
  switch(type,
    string = readr::col_character(),
    integer = readr::col_integer(),
    number = readr::col_double(),
    boolean = readr::col_logical(),
    date = readr::col_date(format = "%Y-%m-%d"),
    stop(sprintf("field %s: type %s is not supported", field$name, type), call. = FALSE)
  )
}

newsfacts_or <- function(value, default) if (is.null(value)) default else value

if (sys.nframe() == 0L) {
  arguments <- commandArgs(trailingOnly = TRUE)
  tables <- read_newsfacts(if (length(arguments) > 0) arguments[[1]] else ".")
  for (name in names(tables)) {
    cat(sprintf("\n$%s\n", name))
    str(tables[[name]], give.attr = FALSE)
  }
}
