namespace MlacRelease.Common.Errors;

/// <summary>
/// What the caller gave is wrong: a malformed file (its message names the file, line and field), an option out of range,
/// a folder that belongs to another run. The base of every input error the toolkit throws, so that a caller (the CLI's
/// exit code 2 among them) decides by type, never by message text. <see cref="InvalidDataException"/>, the closer fit,
/// is sealed.
/// </summary>
public class MlacInputException : Exception
{
    public MlacInputException(string message) : base(message) { }

    public MlacInputException(string message, Exception? innerException) : base(message, innerException) { }
}
