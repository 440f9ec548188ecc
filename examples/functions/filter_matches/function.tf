# true: a filter without a wildcard matches every name that contains it.
output "substring" {
  value = provider::c0221::filter_matches("prod", "team/prod/api")
}

# false: with a wildcard the filter must match the whole name.
output "anchored" {
  value = provider::c0221::filter_matches("*prod", "prod-api")
}
