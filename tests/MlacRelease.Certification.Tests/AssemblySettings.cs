// Certification runs set libtorch's process-wide intra-op thread count; tests that ran in parallel could change it
// under each other and make bit-for-bit comparisons flaky. The tiny models here gain nothing from threads anyway.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
