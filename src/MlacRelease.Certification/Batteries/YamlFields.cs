using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlacRelease.Certification.Batteries;

/// <summary>
/// A strict reader over one YAML mapping: every key must be read or it is rejected as unknown, and every value is
/// checked for type and range, with errors that carry file, line, column and the field's dotted path. YamlDotNet's
/// object deserialiser is not used because it ignores or silently coerces exactly the mistakes a certification
/// standard must refuse (a misspelt key, "1e-3" read as a string, a negative learning rate). Anchors and aliases are
/// refused while parsing (<see cref="AnchorRefusingParser"/>), so no document expands beyond its own size.
/// </summary>
internal sealed class YamlFields
{
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private YamlFields(string file, string path, YamlMappingNode node)
    {
        File = file;
        Path = path;
        _node = node;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in node.Children.Keys)
        {
            var name = key is YamlScalarNode scalar ? scalar.Value ?? "" : throw Error(key, "", "keys must be plain names");
            if (!seen.Add(name)) throw Error(key, Join(name), "duplicate key");
        }
    }

    public string File { get; }

    public string Path { get; }

    public static YamlFields Load(string text, string file)
    {
        // Texts that come from a file were bounded in bytes already (YamlFile); this bounds texts given directly.
        if (text.Length > YamlFile.MaxBytes) throw YamlFile.TooLarge(file, $"the text is {text.Length} characters");
        var stream = new YamlStream();
        try
        {
            stream.Load(new AnchorRefusingParser(new Parser(new StringReader(text)), file));
        }
        catch (YamlException e)
        {
            throw new StrictYamlException(file, (int)e.Start.Line, (int)e.Start.Column, "", $"not valid YAML: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (without a position) on some truncated documents.
            throw new StrictYamlException(file, 1, 1, "", $"not valid YAML (the document looks truncated or unbalanced): {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // YamlDotNet's parser throws this (without a position) on a tag that is not a valid URI and on event kinds
            // the representation model does not take (found by fuzzing the battery loader).
            throw new StrictYamlException(file, 1, 1, "", $"not valid YAML: {e.Message}", e);
        }
        if (stream.Documents.Count != 1) throw new StrictYamlException(file, 1, 1, "", $"expected exactly one YAML document, found {stream.Documents.Count}");
        return stream.Documents[0].RootNode is YamlMappingNode root
            ? new YamlFields(file, "", root)
            : throw Error(file, stream.Documents[0].RootNode, "", "the document must be a mapping of keys to values");
    }

    public SourceLocation Location(string key) =>
        TryGet(key, out var node) ? At(node, Join(key)) : At(_node, Path);

    public SourceLocation At(YamlNode node, string field) => new(File, (int)node.Start.Line, (int)node.Start.Column, field);

    public bool Has(string key) => TryGet(key, out _);

    public bool IsMapping(string key) => TryGet(key, out var node) && node is YamlMappingNode;

    /// <summary>Rejects any key not read so far. Call after reading every field of the mapping.</summary>
    public void RejectUnknown()
    {
        foreach (var (key, _) in _node.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (!_read.Contains(name))
            {
                var known = _read.Count == 0 ? "" : $" (known here: {string.Join(", ", _read.Order(StringComparer.Ordinal))})";
                throw Error(key, Join(name), $"unknown key '{name}'{known}");
            }
        }
    }

    /// <summary>Marks keys as known without reading them (optional keys that were absent are known too).</summary>
    public void Known(params string[] keys) => _read.UnionWith(keys);

    public YamlFields Mapping(string key) =>
        Node(key) is YamlMappingNode m ? new YamlFields(File, Join(key), m) : throw Error(Node(key), Join(key), "expected a mapping");

    public YamlFields? OptionalMapping(string key) => Has(key) && !IsNull(key) ? Mapping(key) : Absent<YamlFields>(key);

    public IReadOnlyList<YamlFields> MappingList(string key)
    {
        var list = Sequence(key);
        return list.Select((item, i) => item is YamlMappingNode m
            ? new YamlFields(File, $"{Join(key)}[{i}]", m)
            : throw Error(item, $"{Join(key)}[{i}]", "expected a mapping")).ToList();
    }

    public string String(string key) => Scalar(key, out _);

    public string? OptionalString(string key) => Has(key) && !IsNull(key) ? String(key) : Absent<string>(key);

    public int Int(string key, int min = int.MinValue, int max = int.MaxValue) => ParseInt(Node(key), Join(key), min, max);

    public int? OptionalInt(string key, int min = int.MinValue, int max = int.MaxValue) =>
        Has(key) && !IsNull(key) ? Int(key, min, max) : AbsentValue<int>(key);

    public ulong ULong(string key)
    {
        var text = Scalar(key, out var node);
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value : throw Error(node, Join(key), $"expected a non-negative integer, got '{text}'");
    }

    public double Double(string key, double min = double.MinValue, double max = double.MaxValue, bool exclusiveMin = false) =>
        ParseDouble(Node(key), Join(key), min, max, exclusiveMin);

    public double? OptionalDouble(string key, double min = double.MinValue, double max = double.MaxValue, bool exclusiveMin = false) =>
        Has(key) && !IsNull(key) ? Double(key, min, max, exclusiveMin) : AbsentValue<double>(key);

    /// <summary>true or false (plain, lower case), or null when absent or null.</summary>
    public bool? OptionalBool(string key)
    {
        if (!Has(key) || IsNull(key)) return AbsentValue<bool>(key);
        var text = Scalar(key, out var node);
        return text switch
        {
            "true" => true,
            "false" => false,
            _ => throw Error(node, Join(key), $"expected true or false, found '{text}'"),
        };
    }

    public bool IsNull(string key) => TryGet(key, out var node) && node is YamlScalarNode s
        && s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is "null" or "~" or "";

    public T Enum<T>(string key, IReadOnlyDictionary<string, T> names) => ParseEnum(Node(key), Join(key), names);

    public IReadOnlyList<YamlNode> Sequence(string key, bool allowEmpty = false)
    {
        var node = Node(key);
        if (node is not YamlSequenceNode sequence) throw Error(node, Join(key), "expected a list");
        if (!allowEmpty && sequence.Children.Count == 0) throw Error(node, Join(key), "the list must not be empty");
        return sequence.Children.ToList();
    }

    public IReadOnlyList<T> List<T>(string key, Func<YamlNode, string, T> parse, bool allowEmpty = false) =>
        Sequence(key, allowEmpty).Select((item, i) => parse(item, $"{Join(key)}[{i}]")).ToList();

    public IReadOnlyList<(string Key, YamlNode Value, SourceLocation Location)> Entries()
    {
        _read.UnionWith(_node.Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? ""));
        return _node.Children.Select(kv => (((YamlScalarNode)kv.Key).Value ?? "", kv.Value, At(kv.Key, Join(((YamlScalarNode)kv.Key).Value ?? "")))).ToList();
    }

    public int ParseInt(YamlNode node, string field, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = ScalarText(node, field);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Error(node, field, $"expected an integer, got '{text}'");
        if (value < min || value > max) throw Error(node, field, RangeText(value.ToString(CultureInfo.InvariantCulture), min, max));
        return value;
    }

    public double ParseDouble(YamlNode node, string field, double min = double.MinValue, double max = double.MaxValue, bool exclusiveMin = false)
    {
        var text = ScalarText(node, field);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Error(node, field, $"expected a finite number, got '{text}'");
        if (value < min || (exclusiveMin && value <= min) || value > max)
        {
            var lower = exclusiveMin ? $"greater than {Show(min)}" : $"at least {Show(min)}";
            var problem = min > double.MinValue && max < double.MaxValue ? $"must be {lower} and at most {Show(max)}"
                : min > double.MinValue ? $"must be {lower}" : $"must be at most {Show(max)}";
            throw Error(node, field, $"{problem}, got {text}");
        }
        return value;
    }

    public T ParseEnum<T>(YamlNode node, string field, IReadOnlyDictionary<string, T> names)
    {
        var text = ScalarText(node, field);
        return names.TryGetValue(text, out var value) ? value
            : throw Error(node, field, $"unknown value '{text}' (expected one of {string.Join(", ", names.Keys)})");
    }

    public string ScalarText(YamlNode node, string field) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Error(node, field, "expected a single value");

    public StrictYamlException Error(YamlNode node, string field, string problem) => Error(File, node, field, problem);

    /// <summary>A key that a rule beyond "present or not" requires (checked after <see cref="RejectUnknown"/>), at this
    /// mapping's position.</summary>
    public StrictYamlException Missing(string key, string why) => Error(_node, Join(key), $"required key is missing: {why}");

    private static StrictYamlException Error(string file, YamlNode node, string field, string problem) =>
        new(file, (int)node.Start.Line, (int)node.Start.Column, field, problem);

    private string Scalar(string key, out YamlNode node)
    {
        node = Node(key);
        return ScalarText(node, Join(key));
    }

    private YamlNode Node(string key)
    {
        _read.Add(key);
        return TryGet(key, out var node) ? node : throw Error(_node, Join(key), "required key is missing");
    }

    private bool TryGet(string key, out YamlNode node)
    {
        if (_node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            node = value;
            return true;
        }
        node = null!;
        return false;
    }

    private T? Absent<T>(string key) where T : class
    {
        _read.Add(key);
        return null;
    }

    private T? AbsentValue<T>(string key) where T : struct
    {
        _read.Add(key);
        return null;
    }

    private string Join(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private static string RangeText(string value, int min, int max) =>
        min > int.MinValue && max < int.MaxValue ? $"must be between {min} and {max}, got {value}"
        : min > int.MinValue ? $"must be at least {min}, got {value}" : $"must be at most {max}, got {value}";

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
