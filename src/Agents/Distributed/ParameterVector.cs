using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepRL.Agents.Distributed;

/// <summary>A network's parameters as one flat float32 vector (in parameter order): how weights travel to actors.</summary>
public static class ParameterVector
{
    public static int Size(IEnumerable<Parameter> parameters) => (int)parameters.Sum(p => p.numel());

    /// <summary>Copies the parameters (on any device) into a new host array.</summary>
    public static float[] Read(IReadOnlyList<Parameter> parameters)
    {
        var values = new float[Size(parameters)];
        using var scope = NewDisposeScope();
        int offset = 0;
        foreach (var p in parameters)
        {
            int n = (int)p.numel();
            p.detach().cpu().data<float>().CopyTo(values, offset);
            offset += n;
        }
        return values;
    }

    /// <summary>Overwrites the parameters with <paramref name="values"/> (as produced by <see cref="Read"/> on the same architecture).</summary>
    public static void Write(IReadOnlyList<Parameter> parameters, float[] values)
    {
        int size = Size(parameters);
        if (values.Length != size)
            throw new ArgumentException($"The weights have {values.Length} values; this network has {size} parameters (a different architecture).");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int offset = 0;
        foreach (var p in parameters)
        {
            int n = (int)p.numel();
            p.copy_(tensor(values.AsSpan(offset, n).ToArray(), p.shape));
            offset += n;
        }
    }
}
