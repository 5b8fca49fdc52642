using DeepRL.Environments.Spaces;

namespace DeepRL;

/// <summary>A space as saved with an agent or an exported policy (JSON), so it can be rebuilt without the environment.</summary>
public sealed record SpaceDescription(string Type, int? N = null, int[]? Shape = null, float[]? Low = null, float[]? High = null, string? DType = null)
{
    public static SpaceDescription Of(Space space) => space switch
    {
        Discrete d => new SpaceDescription("discrete", N: d.N),
        Box b => new SpaceDescription("box", Shape: b.Shape, Low: b.Low, High: b.High, DType: b.DType.ToString()),
        _ => throw new NotSupportedException($"Saving agents for {space} spaces is not supported."),
    };

    public Space ToSpace(string file) => Type switch
    {
        "discrete" when N is int n and > 0 => new Discrete(n),
        "box" when Shape is { Length: > 0 } && Low is not null && High is not null =>
            new Box(Shape, Low, High, Enum.TryParse<BoxDType>(DType, out var t) ? t : BoxDType.Float32),
        _ => throw new InvalidDataException($"'{file}' holds an invalid space description: {this}."),
    };

    public Box ToBox(string file) => ToSpace(file) as Box ?? throw new InvalidDataException($"'{file}': the observation space must be a Box.");
}
