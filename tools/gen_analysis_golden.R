# Regenerates the R reference values used by tests/analysis/test_*.py (golden tests).
# Run: Rscript tools/gen_analysis_golden.R  (needs r-base-core + r-cran-survival)
# It also writes tests/golden/analysis/lung.csv, the survival::lung data set
# (NCCTG advanced lung cancer, Loprinzi et al. 1994; public R data).
suppressMessages(library(survival))
options(digits = 15)
out <- "tests/golden/analysis/lung.csv"
hdr <- c(
  "# survival::lung (NCCTG advanced lung cancer; Loprinzi CL et al., J Clin Oncol 1994;12:601-7).",
  paste0("# Exported by tools/gen_analysis_golden.R with R ", getRversion(),
         ", survival ", packageVersion("survival"), ". status: 1 = censored, 2 = dead.")
)
writeLines(hdr, out)
suppressWarnings(write.table(lung, out, sep = ",", row.names = FALSE, na = "", append = TRUE,
                             quote = FALSE))
cat("R", as.character(getRversion()), "survival", as.character(packageVersion("survival")), "\n")
for (ct in c("log", "log-log")) {
  f <- survfit(Surv(time, status) ~ 1, data = lung, conf.type = ct)
  cat("\n## survfit(Surv(time, status) ~ 1, data = lung, conf.type = '", ct, "')\n", sep = "")
  print(quantile(f, probs = 0.5))
  s <- summary(f, times = c(180, 365))
  print(cbind(time = s$time, surv = s$surv, std.err = s$std.err, lower = s$lower, upper = s$upper))
  g <- survfit(Surv(time, status) ~ sex, data = lung, conf.type = ct)
  cat("## survfit(Surv(time, status) ~ sex, data = lung, conf.type = '", ct, "')\n", sep = "")
  print(quantile(g, probs = 0.5))
  s <- summary(g, times = c(180, 365))
  print(cbind(time = s$time, surv = s$surv, lower = s$lower, upper = s$upper))
}
cat("\n## survdiff(Surv(time, status) ~ sex, data = lung)\n")
d <- survdiff(Surv(time, status) ~ sex, data = lung)
print(cbind(obs = d$obs, exp = d$exp)); cat("chisq", d$chisq, "p", 1 - pchisq(d$chisq, 1), "\n")
cat("\n## survdiff(Surv(time, status) ~ ph.ecog, data = lung)\n")
d <- survdiff(Surv(time, status) ~ ph.ecog, data = lung)
cat("chisq", d$chisq, "df", length(d$n) - 1, "p", 1 - pchisq(d$chisq, length(d$n) - 1), "\n")
for (ties in c("efron", "breslow")) {
  m <- coxph(Surv(time, status) ~ age + sex, data = lung, ties = ties)
  cat("\n## coxph(Surv(time, status) ~ age + sex, data = lung, ties = '", ties, "')\n", sep = "")
  print(cbind(coef = coef(m), se = sqrt(diag(vcov(m))), hr = exp(coef(m)),
              lower = exp(confint(m))[, 1], upper = exp(confint(m))[, 2]))
  cat("loglik", m$loglik, "\n")
  ss <- summary(m)
  cat("logtest", ss$logtest, "\nwaldtest", ss$waldtest, "\nsctest", ss$sctest, "\n")
  m2 <- coxph(Surv(time, status) ~ age + sex + ph.ecog + wt.loss, data = lung, ties = ties)
  cat("## coxph(Surv(time, status) ~ age + sex + ph.ecog + wt.loss, data = lung, ties = '", ties, "')  n =", m2$n, "\n", sep = "")
  print(cbind(coef = coef(m2), se = sqrt(diag(vcov(m2)))))
  cat("loglik", m2$loglik, "\n")
}
cat("\n## binom.test(x, 16)$conf.int (Clopper-Pearson)\n")
for (x in c(0, 5, 16)) cat(x, "/16:", binom.test(x, 16)$conf.int, "\n")
cat("## prop.test(x, 16, correct = FALSE)$conf.int (Wilson)\n")
for (x in c(0, 5, 16)) cat(x, "/16:", suppressWarnings(prop.test(x, 16, correct = FALSE)$conf.int), "\n")
cat("## fisher.test(matrix(c(13, 13, 4, 22), 2))\n")
ft <- fisher.test(matrix(c(13, 13, 4, 22), 2)); cat("p", ft$p.value, "or", ft$estimate, "ci", ft$conf.int, "\n")
ft <- fisher.test(matrix(c(13, 13, 4, 22), 2), alternative = "greater"); cat("greater p", ft$p.value, "\n")
