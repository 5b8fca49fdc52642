namespace DeepRL.Environments.Spaces;

/// <summary>The integers <c>0 … N-1</c>.</summary>
public sealed class Discrete : Space
{
    public Discrete(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "A Discrete space needs at least one element.");
        N = n;
    }

    public int N { get; }

    public override int[] Shape => [];

    public bool Contains(int value) => value >= 0 && value < N;

    public int Sample(Rng rng) => rng.NextInt(N);

    public override string ToString() => $"Discrete({N})";
}
