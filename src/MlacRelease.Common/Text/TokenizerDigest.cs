using System.Security.Cryptography;
using System.Text;

namespace MlacRelease.Common.Text;

/// <summary>
/// What turns text into the ids an encoder was certified on: the vocabulary (which id each word piece gets) and the
/// normalisation (lower-casing, accent stripping). The weight digest cannot see it: swap two words' ids and the same
/// weights compute something else for every text holding them. The maximum length is left out: it only cuts longer
/// texts, and a certificate records the length its data was cut to on its own.
/// </summary>
public static class TokenizerDigest
{
    public const string Schema = "mlac.tokenizer.v1";

    /// <summary>"sha256:…" over the schema, the two normalisation flags and the vocabulary in id order.</summary>
    public static string Of(WordPieceVocabulary vocabulary, TokenizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(settings);
        var text = $"{Schema}\nlower_case={settings.LowerCase}\nstrip_accents={settings.StripAccents}\n{vocabulary.ToText()}";
        return Integrity.FileDigest.Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
