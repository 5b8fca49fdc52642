using static TorchSharp.torch;

namespace DeepRL.Agents.Torch;

/// <summary>What the agents need from an optimizer: a settable learning rate, a step, and saved state.</summary>
public interface IOptimizer : IDisposable
{
    double LearningRate { get; set; }

    void ZeroGrad();

    /// <summary>
    /// One update. <paramref name="gradients"/> (one per parameter, in order) replaces the parameters' own
    /// <c>.grad</c>: A3C applies a worker's local gradients to the global parameters this way.
    /// </summary>
    void Step(IReadOnlyList<Tensor?>? gradients);

    /// <summary>One update from the parameters' own gradients.</summary>
    void Step();

    void Save(Stream stream);

    void Save(string path);

    void Load(string path);
}
