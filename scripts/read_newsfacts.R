# read_newsfacts(path_or_url): every newsfacts table as a tibble, typed by its Table Schema.
#
# Needs only readr and jsonlite, and curl to read a URL (Debian: r-cran-readr r-cran-jsonlite r-cran-curl).
#
#   source("scripts/read_newsfacts.R")
#   tables <- read_newsfacts("datapackage/datapackage.json")
#   str(tables$quotes)
#
# `path_or_url` is what frictionless::read_package() takes (a path or http(s) URL of a
# datapackage.json), a directory holding one (the repository, or datapackage/ itself), or a
# release zip (a path or http(s) URL ending in .zip), unpacked into a temporary folder.
# Table Schema types become: date -> Date; integer -> integer; string with an enum ->
# factor with the enum as levels, in order; string -> character; number -> double;
# boolean -> logical (the `r` of each type in src/newsfacts/cells.py; tests/test_cells.py holds
# this script to it). Cells are typed by the toolkit's own cell grammar (the same module),
# so R reads exactly the values `newsfacts validate` checked: an empty cell is NA, whitespace
# is kept, nothing is guessed. A value that does not parse as its type stops with an error
# instead of becoming NA.
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
  descriptor_names <- c("datapackage/datapackage.json", "datapackage.json")
  if (grepl("[.]zip$", path_or_url, ignore.case = TRUE)) {
    path_or_url <- newsfacts_unzipped(path_or_url)
    # A zip's package is its root one where it has one, as newsfacts.load() reads it (a checkout's is datapackage/).
    descriptor_names <- rev(descriptor_names)
  } else if (grepl("^https?://", path_or_url)) {
    return(path_or_url)
  }
  if (dir.exists(path_or_url)) {
    candidates <- file.path(path_or_url, descriptor_names)
    found <- candidates[file.exists(candidates)]
    if (length(found) == 0) {
      stop(sprintf("%s holds neither datapackage/datapackage.json nor datapackage.json", path_or_url), call. = FALSE)
    }
    path_or_url <- found[[1]]
  }
  normalizePath(path_or_url, winslash = "/", mustWork = TRUE)
}

# A release zip, unpacked into a new temporary folder: the package is at its root (datapackage/ in
# the zips of 1.0.0 and 1.1.0). Every entry name is checked first: none may climb out of the folder.
newsfacts_unzipped <- function(zip_path_or_url) {
  if (grepl("^https?://", zip_path_or_url)) {
    downloaded <- tempfile(fileext = ".zip")
    curl::curl_download(zip_path_or_url, downloaded, quiet = TRUE)
    zip_path_or_url <- downloaded
  }
  entries <- utils::unzip(zip_path_or_url, list = TRUE)$Name
  unsafe <- entries[grepl("^/|^[A-Za-z]:|\\\\", entries) |
    vapply(strsplit(entries, "/", fixed = TRUE), function(parts) any(parts == ".."), logical(1))]
  if (length(unsafe) > 0) {
    stop(sprintf("refusing zip entry %s: it would land outside the folder", deparse(unsafe[[1]])), call. = FALSE)
  }
  folder <- tempfile("newsfacts-")
  dir.create(folder)
  utils::unzip(zip_path_or_url, exdir = folder)
  folder
}

newsfacts_read_resource <- function(resource, base) {
  path <- resource$path
  # The descriptor is data, not code: never read outside the package.
  if (!is.character(path) || length(path) != 1 || grepl("^[A-Za-z][A-Za-z0-9+.-]*:|^/|\\\\", path) ||
    any(startsWith(strsplit(path, "/", fixed = TRUE)[[1]], "."))) {
    stop(sprintf("resource %s: refusing path %s: it must be relative and stay inside the package",
                 resource$name, deparse(path)), call. = FALSE)
  }
  file <- paste0(base, path)
  if (!grepl("^https?://", base)) {
    # A symlink may still lead out: compare where the file really is with the package folder.
    inside <- startsWith(normalizePath(file, winslash = "/", mustWork = FALSE),
                         paste0(normalizePath(base, winslash = "/", mustWork = TRUE), "/"))
    if (!inside) {
      stop(sprintf("resource %s: refusing path %s: it resolves outside the package", resource$name, path),
           call. = FALSE)
    }
  }
  schema <- resource$schema
  fields <- schema$fields
  field_names <- vapply(fields, function(field) field$name, character(1))
  if (!identical(newsfacts_or(unlist(schema$missingValues), ""), "")) {
    stop(sprintf("resource %s: only the empty cell is read as missing", resource$name), call. = FALSE)
  }
  dialect <- resource$dialect
  # Every cell is read as text, exactly as written, then typed by the toolkit's cell grammar below.
  table <- readr::read_delim(
    file,
    delim = newsfacts_or(dialect$delimiter, ","),
    quote = newsfacts_or(dialect$quoteChar, "\""),
    escape_double = newsfacts_or(dialect$doubleQuote, TRUE),
    col_types = readr::cols(.default = readr::col_character()),
    na = "",
    trim_ws = FALSE,
    locale = readr::locale(encoding = newsfacts_or(resource$encoding, "UTF-8")),
    skip_empty_rows = TRUE,
    progress = FALSE
  )
  if (!identical(names(table), field_names)) {
    stop(sprintf("resource %s: header (%s) does not match the schema (%s)", resource$name,
                 paste(names(table), collapse = ", "), paste(field_names, collapse = ", ")), call. = FALSE)
  }
  if (nrow(readr::problems(table)) > 0) {
    first <- readr::problems(table)[1, ]
    stop(sprintf("resource %s: line %d: %s", resource$name, first$row, first$expected), call. = FALSE)
  }
  columns <- lapply(fields, function(field) newsfacts_typed(table[[field$name]], field, resource$name))
  names(columns) <- field_names
  tibble_class <- c("tbl_df", "tbl", "data.frame")
  structure(columns, class = tibble_class, row.names = seq_len(nrow(table)))
}

# The toolkit's one cell grammar (src/newsfacts/cells.py; tests/test_cells.py checks these are
# its patterns): an integer is an optional sign and ASCII digits, a date YYYY-MM-DD. A cell that
# is not a value of its type stops with an error, never becomes NA.
newsfacts_integer_pattern <- "[+-]?[0-9]+"
newsfacts_date_pattern <- "[0-9]{4}-[0-9]{2}-[0-9]{2}"
newsfacts_number_pattern <- "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|INF|-INF"

newsfacts_typed <- function(cells, field, resource_name) {
  type <- newsfacts_or(field$type, "string")
  enum <- unlist(field$constraints$enum)
  present <- !is.na(cells)
  refuse <- function(ok, expected) {
    bad <- which(present & !ok)
    if (length(bad) > 0) {
      stop(sprintf("resource %s: %d value(s) do not parse; row %d, field %s: expected %s, got %s",
                   resource_name, length(bad), bad[[1]], field$name, expected, deparse(cells[[bad[[1]]]])),
           call. = FALSE)
    }
  }
  matches <- function(pattern) grepl(paste0("\\A(?:", pattern, ")\\z"), cells, perl = TRUE)
  if (type == "string" && length(enum) > 0) {
    refuse(cells %in% enum, sprintf("one of %s", paste(enum, collapse = ", ")))
    return(factor(cells, levels = enum))
  }
  if (type == "date" && newsfacts_or(field$format, "default") != "default") {
    stop(sprintf("field %s: date format %s is not supported", field$name, field$format), call. = FALSE)
  }
  switch(type,
    string = cells,
    integer = {
      values <- suppressWarnings(as.numeric(cells))
      # R's integers are 32-bit: a larger value stops here rather than becoming NA or a double.
      refuse(matches(newsfacts_integer_pattern) & abs(values) <= .Machine$integer.max, "an integer within 32 bits")
      as.integer(values)
    },
    number = {
      refuse(matches(newsfacts_number_pattern), "a number")
      suppressWarnings(as.numeric(sub("^(-?)INF$", "\\1Inf", cells)))
    },
    boolean = {
      true_values <- newsfacts_or(unlist(field$trueValues), c("true", "True", "TRUE", "1"))
      false_values <- newsfacts_or(unlist(field$falseValues), c("false", "False", "FALSE", "0"))
      refuse(cells %in% c(true_values, false_values), "a boolean")
      ifelse(present, cells %in% true_values, NA)
    },
    date = {
      dates <- as.Date(cells, format = "%Y-%m-%d")
      refuse(matches(newsfacts_date_pattern) & !startsWith(cells, "0000") & !is.na(dates), "a date YYYY-MM-DD")
      dates
    },
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
