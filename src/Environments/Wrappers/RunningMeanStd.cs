namespace DeepRL.Environments.Wrappers;

/// <summary>Running mean and variance of a stream of vectors (parallel Welford/Chan update, as in Gymnasium).</summary>
public sealed class RunningMeanStd
{
    public RunningMeanStd(int size)
    {
        Mean = new double[size];
        Var = new double[size];
        Array.Fill(Var, 1.0);
    }

    public double[] Mean { get; }

    public double[] Var { get; }

    /// <summary>Starts at a tiny epsilon, as Gymnasium does, so the first update dominates the prior.</summary>
    public double Count { get; private set; } = 1e-4;

    public void Update(ReadOnlySpan<float> x)
    {
        double total = Count + 1;
        for (int i = 0; i < Mean.Length; i++)
        {
            double delta = x[i] - Mean[i];
            Mean[i] += delta / total;
            // Chan et al. merge of (Count, Mean, Var) with a batch of one sample (variance 0).
            double m2 = Var[i] * Count + delta * delta * Count / total;
            Var[i] = m2 / total;
        }
        Count = total;
    }

    public void SaveState(BinaryWriter writer)
    {
        writer.WriteArray<double>(Mean);
        writer.WriteArray<double>(Var);
        writer.Write(Count);
    }

    public void LoadState(BinaryReader reader)
    {
        reader.ReadArray<double>(Mean);
        reader.ReadArray<double>(Var);
        Count = reader.ReadDouble();
    }

    public void Update(double x)
    {
        Span<float> one = [(float)x];
        Update(one);
    }
}
