using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using MlacRelease.Common.Errors;

namespace MlacRelease.Common.Integrity;

/// <summary>
/// The in-toto Statement v1 that OpenSSF model_signing v1.0 signs (predicate "https://model_signing/signature/v1.0",
/// sigstore/model-transparency src/model_signing/_signing/signing.py, class Payload): one subject, the model name with
/// digest.sha256 = SHA-256 over the concatenated raw 32-byte digests of the resources in the order listed (sorted by
/// path when written); the predicate's serialization {method "files", hash_type "sha256", allow_symlinks false,
/// ignore_paths} and resources [{name, algorithm "sha256", digest}].
/// </summary>
public static class ModelSigningStatement
{
    public const string StatementType = "https://in-toto.io/Statement/v1";
    public const string PredicateType = "https://model_signing/signature/v1.0";
    public const string HashType = "sha256";
    public const string Method = "files";

    private const int MaxResources = 16384;
    private const int MaxModelNameLength = 1024;

    /// <summary>The statement's UTF-8 JSON for <paramref name="files"/>, which must have distinct valid names and digests.</summary>
    public static byte[] Build(IReadOnlyList<ModelSigningResource> files, string modelName, IReadOnlyList<string> ignorePaths)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(ignorePaths);
        if (string.IsNullOrEmpty(modelName) || modelName.Length > MaxModelNameLength || modelName.Any(char.IsControl))
            throw new MlacInputException($"model name '{modelName}' must be 1 to {MaxModelNameLength} characters without control characters");
        if (files.Count > MaxResources) throw new ArgumentException($"{files.Count} files; at most {MaxResources} are signed", nameof(files));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (ModelSigningResource.NameProblem(file.Name) is { } problem) throw new ArgumentException(problem, nameof(files));
            if (!ModelSigningResource.IsSha256Hex(file.Sha256Hex))
                throw new ArgumentException($"'{file.Name}': digest \"{file.Sha256Hex}\" is not 64 lowercase hex digits", nameof(files));
            if (!seen.Add(file.Name)) throw new ArgumentException($"'{file.Name}' is listed twice", nameof(files));
        }
        foreach (var path in ignorePaths)
        {
            if (ModelSigningResource.NameProblem(path) is { } problem) throw new ArgumentException("ignore path " + problem, nameof(ignorePaths));
        }
        var sorted = files.OrderBy(f => f.Name, ModelSigningResource.PathOrder).ToList();

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("_type", StatementType);
            json.WriteStartArray("subject");
            json.WriteStartObject();
            json.WriteString("name", modelName);
            json.WriteStartObject("digest");
            json.WriteString(HashType, RootDigest(sorted));
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteString("predicateType", PredicateType);
            json.WriteStartObject("predicate");
            json.WriteStartObject("serialization");
            json.WriteString("method", Method);
            json.WriteString("hash_type", HashType);
            json.WriteBoolean("allow_symlinks", false);
            if (ignorePaths.Count > 0)
            {
                json.WriteStartArray("ignore_paths");
                foreach (var path in ignorePaths) json.WriteStringValue(path);
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.WriteStartArray("resources");
            foreach (var file in sorted)
            {
                json.WriteStartObject();
                json.WriteString("name", file.Name);
                json.WriteString("algorithm", HashType);
                json.WriteString("digest", file.Sha256Hex);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Parses a statement whose bytes a verified signature covers. Refuses any other statement or predicate type,
    /// unknown fields, a serialization other than files/sha256 without symlinks, invalid or repeated names, digests
    /// that are not 64 lowercase hex digits, and a subject digest that does not match the resources.
    /// </summary>
    public static VerifiedModelStatement Parse(ReadOnlyMemory<byte> payload, string keyHint, string source)
    {
        using var document = StrictJson.Parse(payload, source);
        var root = document.RootElement;
        StrictJson.OnlyFields(root, source, "_type", "subject", "predicateType", "predicate");
        StrictJson.Constant(root, "_type", StatementType, source);
        StrictJson.Constant(root, "predicateType", PredicateType, source);

        var subjects = StrictJson.Field(root, "subject", source, JsonValueKind.Array);
        if (subjects.GetArrayLength() != 1) throw new MlacInputException($"{source}: field 'subject': expected exactly one subject, got {subjects.GetArrayLength()}");
        var subject = subjects[0];
        StrictJson.OnlyFields(subject, $"{source}: subject[0]", "name", "digest");
        var modelName = StrictJson.String(subject, "name", $"{source}: subject[0]");
        var subjectDigest = StrictJson.Field(subject, "digest", $"{source}: subject[0]", JsonValueKind.Object);
        StrictJson.OnlyFields(subjectDigest, $"{source}: subject[0].digest", HashType);
        var rootDigest = Sha256Hex(subjectDigest, HashType, $"{source}: subject[0].digest");

        var predicate = StrictJson.Field(root, "predicate", source, JsonValueKind.Object);
        StrictJson.OnlyFields(predicate, $"{source}: predicate", "serialization", "resources");
        var serialization = StrictJson.Field(predicate, "serialization", $"{source}: predicate", JsonValueKind.Object);
        var where = $"{source}: predicate.serialization";
        StrictJson.OnlyFields(serialization, where, "method", "hash_type", "allow_symlinks", "ignore_paths");
        StrictJson.Constant(serialization, "method", Method, where);
        StrictJson.Constant(serialization, "hash_type", HashType, where);
        if (StrictJson.Boolean(serialization, "allow_symlinks", where)) throw new MlacInputException($"{where}: field 'allow_symlinks': signatures that follow symbolic links are not accepted");
        var ignorePaths = new List<string>();
        if (serialization.TryGetProperty("ignore_paths", out _))
        {
            foreach (var path in StrictJson.Field(serialization, "ignore_paths", where, JsonValueKind.Array).EnumerateArray())
            {
                if (path.ValueKind != JsonValueKind.String) throw new MlacInputException($"{where}: field 'ignore_paths': expected strings");
                ignorePaths.Add(path.GetString()!);
            }
        }

        var list = StrictJson.Field(predicate, "resources", $"{source}: predicate", JsonValueKind.Array);
        if (list.GetArrayLength() > MaxResources) throw new MlacInputException($"{source}: predicate.resources: {list.GetArrayLength()} resources; at most {MaxResources} are accepted");
        var resources = new List<ModelSigningResource>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.EnumerateArray())
        {
            where = $"{source}: predicate.resources[{resources.Count}]";
            StrictJson.OnlyFields(item, where, "name", "algorithm", "digest");
            var name = StrictJson.String(item, "name", where);
            if (ModelSigningResource.NameProblem(name) is { } problem) throw new MlacInputException($"{where}: field 'name': {problem}");
            if (!seen.Add(name)) throw new MlacInputException($"{where}: field 'name': '{name}' is listed twice");
            StrictJson.Constant(item, "algorithm", HashType, where);
            resources.Add(new ModelSigningResource(name, Sha256Hex(item, "digest", where)));
        }
        var computed = RootDigest(resources);
        if (!string.Equals(computed, rootDigest, StringComparison.Ordinal))
            throw new MlacInputException($"{source}: subject[0].digest.sha256 is {rootDigest}, but the listed resources hash to {computed}");
        return new VerifiedModelStatement(modelName, rootDigest, resources, ignorePaths, keyHint);
    }

    /// <summary>model_signing's subject digest: SHA-256 over the resources' raw digests, concatenated in list order.</summary>
    public static string RootDigest(IEnumerable<ModelSigningResource> resources)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var resource in resources) hash.AppendData(Convert.FromHexString(resource.Sha256Hex));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Sha256Hex(JsonElement obj, string field, string where)
    {
        var value = StrictJson.String(obj, field, where);
        return ModelSigningResource.IsSha256Hex(value) ? value
            : throw new MlacInputException($"{where}: field '{field}': expected 64 lowercase hex digits, got \"{value}\"");
    }
}
