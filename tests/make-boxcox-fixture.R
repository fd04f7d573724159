#!/usr/bin/Rscript
# SPDX-License-Identifier: GPL-3.0-or-later
# Generates tests/fixtures/transform/boxcox-r.tsv: Guerrero's Box-Cox lambda as R's forecast
# package computes it (BoxCox.lambda(x, method = "guerrero", lower = -1, upper = 2)) and its
# criterion forecast:::guer.cv at six lambdas, on the bundled series and the cases of
# tests/make-transform-fixtures.py. Debian 12: apt-get install r-base-core r-cran-forecast
# (forecast 8.20). The output is committed: the tests do not need R.
# Run from the repository's root: Rscript tests/make-boxcox-fixture.R
suppressMessages(library(forecast))
cases <- list(
  list("air_passengers.csv", "passengers_thousands", 12, 144),
  list("air_passengers.csv", "passengers_thousands", 12, 120),
  list("air_passengers.csv", "passengers_thousands", 1, 144),
  list("air_passengers.csv", "passengers_thousands", 4, 97),
  list("air_passengers.csv", "passengers_thousands", 12, 24),
  list("nottingham_temperature.csv", "mean_temp_f", 12, 240),
  list("nottingham_temperature.csv", "mean_temp_f", 12, 203),
  list("eu_stock_markets.csv", "dax", 5, 1860),
  list("eu_stock_markets.csv", "smi", 5, 1500),
  list("eu_stock_markets.csv", "cac", 1, 1860),
  list("eu_stock_markets.csv", "ftse", 5, 1830)
)
cv_lambdas <- c(-1, -0.5, 0, 0.5, 1, 2)
out <- file.path("tests", "fixtures", "transform", "boxcox-r.tsv")
lines <- c(sprintf("# Made by tests/make-boxcox-fixture.R with R %s and forecast %s; do not edit.",
                   getRversion(), packageVersion("forecast")),
           paste(c("# file", "column", "m", "n", "lambda", sprintf("cv(%g)", cv_lambdas)),
                 collapse = "\t"))
for (case in cases) {
  data <- read.csv(file.path("data", case[[1]]))
  x <- data[[case[[2]]]][seq_len(case[[4]])]
  y <- ts(x, frequency = case[[3]])
  lambda <- BoxCox.lambda(y, method = "guerrero", lower = -1, upper = 2)
  cvs <- sapply(cv_lambdas, function(l) forecast:::guer.cv(l, y, nonseasonal.length = 2))
  lines <- c(lines, paste(c(case[[1]], case[[2]], case[[3]], length(x),
                            sprintf("%.17g", c(lambda, cvs))), collapse = "\t"))
}
writeLines(lines, out)
