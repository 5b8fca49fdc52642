namespace DeepRL.Cli;

/// <summary>A problem with what the user asked for; the CLI prints its message (no stack trace) and exits with 2.</summary>
public sealed class CliException(string message) : Exception(message);
