using SimdVector = System.Numerics.Vector;
using System.Numerics;

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
    private readonly bool _uniformBounds; // one low and one high for every element: checks broadcast them

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
        _uniformBounds = Low.All(l => l == Low[0]) && High.All(h => h == High[0]);
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

    /// <summary>
    /// Index of the first value in <paramref name="rows"/> (one or more consecutive elements of this space, e.g. a vector
    /// env's whole observation batch) that is NaN, infinite, or outside its bounds (inclusive); -1 when every value is valid.
    /// One vectorized pass: vector envs check every observation of every step, so this must cost little next to the step.
    /// </summary>
    public int FirstInvalid(ReadOnlySpan<float> rows)
    {
        int size = Low.Length;
        if (rows.Length % size != 0)
            throw new ArgumentException($"Expected whole elements of {size} values, got {rows.Length}.", nameof(rows));
        if (_uniformBounds) return FirstInvalid(rows, Low[0], High[0]);
        for (int row = 0; row < rows.Length; row += size)
        {
            int k = FirstInvalidRow(rows.Slice(row, size));
            if (k >= 0) return row + k;
        }
        return -1;
    }

    private static int FirstInvalid(ReadOnlySpan<float> values, float low, float high)
    {
        int i = 0;
        if (SimdVector.IsHardwareAccelerated)
        {
            var lo = new Vector<float>(low);
            var hi = new Vector<float>(high);
            for (int width = Vector<float>.Count; i + width <= values.Length; i += width)
            {
                var v = new Vector<float>(values.Slice(i, width));
                // v − v is 0 for finite values and NaN for ±∞ and NaN; NaN fails every comparison.
                if (!SimdVector.GreaterThanOrEqualAll(v, lo) || !SimdVector.LessThanOrEqualAll(v, hi) || !SimdVector.EqualsAll(v - v, Vector<float>.Zero)) break;
            }
        }
        for (; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v) || v < low || v > high) return i;
        }
        return -1;
    }

    private int FirstInvalidRow(ReadOnlySpan<float> row)
    {
        int i = 0;
        if (SimdVector.IsHardwareAccelerated)
        {
            for (int width = Vector<float>.Count; i + width <= row.Length; i += width)
            {
                var v = new Vector<float>(row.Slice(i, width));
                if (!SimdVector.GreaterThanOrEqualAll(v, new Vector<float>(Low, i)) || !SimdVector.LessThanOrEqualAll(v, new Vector<float>(High, i))
                    || !SimdVector.EqualsAll(v - v, Vector<float>.Zero)) break;
            }
        }
        for (; i < row.Length; i++)
        {
            float v = row[i];
            if (!float.IsFinite(v) || v < Low[i] || v > High[i]) return i;
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
