// Package bench measures the provider at registry scale: ECR calls against
// the minimum, time against the lower bound the call graph allows, one data
// source against many, peak memory and state size. It holds benchmarks
// only; `make bench` runs them and prints one table. Nothing here fails on
// speed.
package bench
