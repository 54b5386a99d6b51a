// TorchSharp 0.107 lets the finalizer free implicit Scalars that a native call still uses; a GC triggered by another
// test thread can then corrupt a running computation. Tests that drive libtorch run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
