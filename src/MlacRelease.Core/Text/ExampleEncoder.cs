using MlacRelease.Common.Text;
using MlacRelease.Core.Data;

namespace MlacRelease.Core.Text;

/// <summary>Tokenizes examples once, up front, so training and attack loops only collate ids.</summary>
public static class ExampleEncoder
{
    public static IReadOnlyList<EncodedExample> Encode(IEnumerable<Example> examples, Dataset labels, BertTextTokenizer tokenizer, int? maxLength = null) =>
        examples.Select(e => new EncodedExample([.. tokenizer.Encode(e.Text, maxLength)], labels.DesiredIndexOf(e), labels.HarmfulIndexOf(e))).ToList();
}
