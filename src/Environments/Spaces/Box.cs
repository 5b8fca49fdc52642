namespace DeepRL.Environments.Spaces;

/// <summary>How the values of a <see cref="Box"/> are best stored.</summary>
public enum BoxDType
{
    /// <summary>Arbitrary real values.</summary>
    Float32,

    /// <summary>Whole numbers in 0…255 (image planes, binary channels): buffers store them as bytes.</summary>
    UInt8,
}

/// <summary>A box in R^n: every element between its low and high bound.</summary>
public sealed class Box : Space
{
    private readonly int[] _shape;

    public Box(int[] shape, float low, float high, BoxDType dtype = BoxDType.Float32)
        : this(shape, Fill(shape, low), Fill(shape, high), dtype)
    {
    }

    public Box(int[] shape, float[] low, float[] high, BoxDType dtype = BoxDType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(d => d <= 0))
            throw new ArgumentException($"A Box shape needs positive dimensions, got [{string.Join(", ", shape)}].", nameof(shape));
        _shape = (int[])shape.Clone();
        int size = FlatSize;
        if (low.Length != size || high.Length != size)
            throw new ArgumentException($"Box bounds must have {size} elements to match shape [{string.Join(", ", shape)}].");
        for (int i = 0; i < size; i++)
        {
            if (low[i] > high[i]) throw new ArgumentException($"Box low[{i}]={low[i]} exceeds high[{i}]={high[i]}.");
        }
        Low = (float[])low.Clone();
        High = (float[])high.Clone();
        DType = dtype;
    }

    public override int[] Shape => (int[])_shape.Clone();

    public float[] Low { get; }

    public float[] High { get; }

    public BoxDType DType { get; }

    /// <summary>True when every bound is finite, so uniform sampling is possible.</summary>
    public bool IsBounded => Low.All(float.IsFinite) && High.All(float.IsFinite);

    public bool Contains(ReadOnlySpan<float> value)
    {
        if (value.Length != Low.Length) return false;
        for (int i = 0; i < value.Length; i++)
        {
            float v = value[i];
            if (float.IsNaN(v) || v < Low[i] || v > High[i]) return false;
        }
        return true;
    }

    /// <summary>The first index whose (finite) value lies outside [low, high], or −1 (NaN/∞ are reported by the finiteness check instead).</summary>
    public int IndexOutside(ReadOnlySpan<float> value)
    {
        int n = Math.Min(value.Length, Low.Length), i = 0;
        // Vectorized scan (vector envs check every observation of every step); a block with any value out of range,
        // or with ∞ (to be ignored here), is rescanned one value at a time from its start.
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int width = System.Numerics.Vector<float>.Count;
            for (; i + width <= n; i += width)
            {
                var v = new System.Numerics.Vector<float>(value.Slice(i, width));
                if (System.Numerics.Vector.LessThanAny(v, new System.Numerics.Vector<float>(Low, i))
                    || System.Numerics.Vector.GreaterThanAny(v, new System.Numerics.Vector<float>(High, i))) break;
            }
        }
        for (; i < n; i++)
        {
            float v = value[i];
            if (float.IsFinite(v) && (v < Low[i] || v > High[i])) return i;
        }
        return -1;
    }

    /// <summary>Uniform sample for bounded dimensions; normal for unbounded ones (as Gymnasium does).</summary>
    public void Sample(Rng rng, Span<float> destination)
    {
        for (int i = 0; i < Low.Length; i++)
        {
            float lo = Low[i], hi = High[i];
            bool loFinite = float.IsFinite(lo), hiFinite = float.IsFinite(hi);
            destination[i] = (loFinite, hiFinite) switch
            {
                (true, true) => lo + (hi - lo) * rng.NextFloat(),
                (true, false) => lo + (float)(-Math.Log(1.0 - rng.NextDouble())),
                (false, true) => hi - (float)(-Math.Log(1.0 - rng.NextDouble())),
                _ => (float)rng.NextGaussian(),
            };
        }
    }

    public override string ToString()
    {
        string bounds = Low.Distinct().Count() == 1 && High.Distinct().Count() == 1
            ? $"{Fmt(Low[0])}, {Fmt(High[0])}"
            : "per-element bounds";
        return $"Box({bounds}, ({string.Join(", ", _shape)}){(DType == BoxDType.UInt8 ? ", uint8" : "")})";
    }

    private static string Fmt(float v) => float.IsPositiveInfinity(v) ? "inf" : float.IsNegativeInfinity(v) ? "-inf" : v.ToString("g4");

    private static float[] Fill(int[] shape, float value)
    {
        int size = 1;
        foreach (int d in shape) size *= d;
        var a = new float[size];
        Array.Fill(a, value);
        return a;
    }
}
