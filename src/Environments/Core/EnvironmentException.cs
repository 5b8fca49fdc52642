namespace DeepRL.Environments;

/// <summary>An environment broke its contract (threw while being built, returned observations of the wrong size…); the message names the env and the fix.</summary>
public sealed class EnvironmentException(string message, Exception? inner = null) : Exception(message, inner);
