using MlacRelease.Common.Errors;

namespace MlacRelease.Core.Data;

/// <summary>A request to split data otherwise than the model's recorded split (another seed, fractions or dataset).
/// An input error: the message names the record, the field and both values.</summary>
public sealed class SplitMismatchException(string message) : MlacInputException(message);
