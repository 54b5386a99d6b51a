#!/usr/bin/env python3
"""Release check: the ONNX reference checker over an exported model, with full shape and type inference.

Usage: onnx_check.py MODEL.onnx
Exit codes: 0 valid; 1 the checker rejected the model (its message is printed); 2 usage error or unreadable file;
3 the onnx module is missing (install it: apt-get install -y python3-onnx, or pip install onnx).

The checked file is never written: onnx's path-based full check writes the inferred shapes back into the file it
checks (onnx 1.12), which would break a release's manifest digest. Models under 2 GiB are checked in memory (external
data loaded beside them); larger ones on a temporary copy.
"""
import hashlib
import os
import shutil
import sys
import tempfile

PROTOBUF_LIMIT = 2**31 - 1


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def external_files(onnx, path):
    model = onnx.load(path, load_external_data=False)
    names = set()
    for tensor in model.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            names.update(entry.value for entry in tensor.external_data if entry.key == "location")
    return model, sorted(names)


def check(onnx, path):
    model, data_files = external_files(onnx, path)
    folder = os.path.dirname(os.path.abspath(path))
    total = os.path.getsize(path) + sum(os.path.getsize(os.path.join(folder, name)) for name in data_files)
    if total < PROTOBUF_LIMIT:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        return model
    with tempfile.TemporaryDirectory(prefix="onnx-check-") as scratch:
        copy = os.path.join(scratch, os.path.basename(path))
        shutil.copyfile(path, copy)
        for name in data_files:
            shutil.copyfile(os.path.join(folder, name), os.path.join(scratch, name))
        onnx.checker.check_model(copy, full_check=True)
    return model


def main(argv):
    if len(argv) != 2:
        print("usage: onnx_check.py MODEL.onnx", file=sys.stderr)
        return 2
    path = argv[1]
    if not os.path.isfile(path):
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    try:
        import onnx
    except ImportError:
        print(f"{sys.executable}: the 'onnx' module is not installed; install it with "
              "'apt-get install -y python3-onnx' (Debian/Ubuntu) or 'pip install onnx'", file=sys.stderr)
        return 3
    before = sha256(path)
    try:
        model = check(onnx, path)
    except Exception as error:  # the checker raises ValidationError, shape inference InferenceError
        print(f"{path}: ONNX checker failed ({type(error).__name__}): {error}", file=sys.stderr)
        return 1
    if sha256(path) != before:
        print(f"{path}: the file changed while it was being checked", file=sys.stderr)
        return 1
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    print(f"{path}: valid (onnx {onnx.__version__}, full check; IR {model.ir_version}; opset {opsets}; "
          f"{len(model.graph.node)} nodes, {len(model.graph.initializer)} initializers)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
