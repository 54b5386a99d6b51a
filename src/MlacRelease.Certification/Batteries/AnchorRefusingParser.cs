using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MlacRelease.Certification.Batteries;

/// <summary>
/// Passes YamlDotNet's event stream through and refuses the first anchor (&amp;name) or alias (*name). Nested aliases
/// make a 1 KB document stand for billions of nodes ("billion laughs"): a policy built that way took 71 s before it
/// was refused. Refusing at the event, before the representation model sees it, means no document can cost more than
/// one pass over its own text. No battery or policy needs them: every value is written out where it applies.
/// </summary>
internal sealed class AnchorRefusingParser(IParser inner, string file) : IParser
{
    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext()) return false;
        switch (inner.Current)
        {
            case AnchorAlias alias:
                throw Refused(alias, $"YAML aliases ('*{alias.Value}') are not accepted: write the value out in full");
            case NodeEvent { Anchor.IsEmpty: false } node:
                throw Refused(node, $"YAML anchors ('&{node.Anchor}') are not accepted: write the value out where it applies");
            default:
                return true;
        }
    }

    private StrictYamlException Refused(ParsingEvent at, string problem) =>
        new(file, (int)at.Start.Line, (int)at.Start.Column, "", problem);
}
