// The tests share one local Slurm cluster (and its two CPUs): they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
