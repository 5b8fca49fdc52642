namespace DeepRL.Environments;

/// <summary>An action that the environment's <see cref="IActionMasking"/> mask marks as invalid in the current state.</summary>
public sealed class InvalidActionException(string message) : ArgumentException(message);
