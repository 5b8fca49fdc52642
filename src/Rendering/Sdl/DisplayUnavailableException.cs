namespace DeepRL.Rendering.Sdl;

/// <summary>No window can be opened here (no X/Wayland display, or SDL2 missing); the message says what to do instead.</summary>
public sealed class DisplayUnavailableException(string message) : Exception(message);
