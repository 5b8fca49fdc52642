namespace DeepRL.Environments;

/// <summary>
/// A NaN or ∞ appeared where training cannot continue: in a reward or observation from an environment, or in a
/// loss or gradient. The message names what, where and the likely cause; training stops with the last good
/// checkpoint kept.
/// </summary>
public class NonFiniteValueException(string message) : Exception(message);
