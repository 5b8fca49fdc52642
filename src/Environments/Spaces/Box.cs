using SimdVector = System.Numerics.Vector;
using System.Numerics;
using System.Runtime.InteropServices;

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
    private readonly bool _finiteBounds; // every bound finite: the range test alone rejects NaN and ±∞
    private readonly bool _bitRangeCheck; // uniform, finite, non-negative bounds: checked as a range of bit patterns
    private readonly uint _lowBits, _highBits;

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
        _finiteBounds = IsBounded;
        _bitRangeCheck = _uniformBounds && _finiteBounds && Low[0] >= 0;
        _lowBits = Low[0] == 0 ? 0u : BitConverter.SingleToUInt32Bits(Low[0]); // −0 as a low bound means +0
        _highBits = High[0] == 0 ? 0u : BitConverter.SingleToUInt32Bits(High[0]);
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
        // With finite bounds the range test alone rejects NaN (it fails every comparison) and ±∞ (outside the bounds).
        if (_uniformBounds) return AllValid(rows, Low[0], High[0], checkFinite: !_finiteBounds) ? -1 : FirstInvalidScalar(rows);
        for (int row = 0; row < rows.Length; row += size)
        {
            if (!AllValidRow(rows.Slice(row, size))) return row + FirstInvalidScalar(rows.Slice(row, size));
        }
        return -1;
    }

    /// <summary>
    /// Copies <paramref name="source"/> (one or more elements of this space) into <paramref name="destination"/> and checks
    /// it on the way, like <see cref="FirstInvalid"/>. For bounds that are the same for every element and not negative
    /// (image planes, binary channels, most gridworlds), the check is folded into the copy: non-negative floats order
    /// like their bit patterns, so one unsigned min/max per vector tests finiteness and bounds together.
    /// </summary>
    public int CopyChecked(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.Length > destination.Length) throw new ArgumentException("The destination is shorter than the source.", nameof(destination));
        if (!_bitRangeCheck || !SimdVector.IsHardwareAccelerated)
        {
            source.CopyTo(destination);
            return FirstInvalid(destination[..source.Length]);
        }
        var from = MemoryMarshal.Cast<float, uint>(source);
        var to = MemoryMarshal.Cast<float, uint>(destination);
        bool inside = true;
        int i = 0, width = Vector<uint>.Count;
        if (from.Length >= width)
        {
            // Bounds were checked above: unchecked loads and stores let the loop run at copy speed.
            ref uint src = ref MemoryMarshal.GetReference(from);
            ref uint dst = ref MemoryMarshal.GetReference(to);
            var min = new Vector<uint>(uint.MaxValue);
            var max = Vector<uint>.Zero;
            if (_lowBits == 0)
            {
                // A low bound of 0 holds for every non-negative float: only the maximum matters.
                for (; i + width <= from.Length; i += width)
                {
                    var v = SimdVector.LoadUnsafe(ref src, (nuint)i);
                    v.StoreUnsafe(ref dst, (nuint)i);
                    max = SimdVector.Max(max, v);
                }
            }
            else
            {
                for (; i + width <= from.Length; i += width)
                {
                    var v = SimdVector.LoadUnsafe(ref src, (nuint)i);
                    v.StoreUnsafe(ref dst, (nuint)i);
                    max = SimdVector.Max(max, v);
                    min = SimdVector.Min(min, v);
                }
            }
            inside = SimdVector.LessThanOrEqualAll(max, new Vector<uint>(_highBits))
                     && (_lowBits == 0 || SimdVector.GreaterThanOrEqualAll(min, new Vector<uint>(_lowBits)));
        }
        for (; i < from.Length; i++)
        {
            uint bits = from[i];
            to[i] = bits;
            inside &= bits >= _lowBits & bits <= _highBits;
        }
        // Outside the bit range: invalid, or −0 (whose sign bit sets it apart): the exact scan decides.
        return inside ? -1 : FirstInvalid(destination[..source.Length]);
    }

    // The fast paths accumulate a "some lane failed" mask and test it once at the end: no branch per vector, so the loop
    // runs at load speed; the scalar scan that finds the index runs only for an invalid batch, i.e. before an error.
    private static bool AllValid(ReadOnlySpan<float> values, float low, float high, bool checkFinite)
    {
        int i = 0;
        if (SimdVector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var lo = new Vector<float>(low);
            var hi = new Vector<float>(high);
            var failed = Vector<int>.Zero;
            for (int width = Vector<float>.Count; i + width <= values.Length; i += width)
            {
                var v = new Vector<float>(values.Slice(i, width));
                var inside = SimdVector.GreaterThanOrEqual(v, lo) & SimdVector.LessThanOrEqual(v, hi);
                // v − v is 0 for finite values and NaN for ±∞ and NaN.
                if (checkFinite) inside &= SimdVector.Equals(v - v, Vector<float>.Zero);
                failed |= ~inside;
            }
            if (failed != Vector<int>.Zero) return false;
        }
        for (; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v) || v < low || v > high) return false;
        }
        return true;
    }

    private bool AllValidRow(ReadOnlySpan<float> row)
    {
        int i = 0;
        if (SimdVector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            var failed = Vector<int>.Zero;
            for (int width = Vector<float>.Count; i + width <= row.Length; i += width)
            {
                var v = new Vector<float>(row.Slice(i, width));
                var inside = SimdVector.GreaterThanOrEqual(v, new Vector<float>(Low, i)) & SimdVector.LessThanOrEqual(v, new Vector<float>(High, i))
                             & SimdVector.Equals(v - v, Vector<float>.Zero);
                failed |= ~inside;
            }
            if (failed != Vector<int>.Zero) return false;
        }
        for (; i < row.Length; i++)
        {
            float v = row[i];
            if (!float.IsFinite(v) || v < Low[i] || v > High[i]) return false;
        }
        return true;
    }

    private int FirstInvalidScalar(ReadOnlySpan<float> rows)
    {
        int size = Low.Length;
        for (int i = 0; i < rows.Length; i++)
        {
            float v = rows[i];
            if (!float.IsFinite(v) || v < Low[i % size] || v > High[i % size]) return i;
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
