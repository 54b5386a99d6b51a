// The commands set libtorch's process-wide thread count and the GC latency mode: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
