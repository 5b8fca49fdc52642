using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DeepRL.Agents.Policies;

/// <summary>Shape of the attention memory (policy transformer).</summary>
/// <param name="ContextLength">Past observations of the episode each step attends to, besides its own.</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Heads">Attention heads per block; <paramref name="Dim"/> must divide by it.</param>
/// <param name="Dim">Width of the embeddings (d_model).</param>
public sealed record TransformerSettings(int ContextLength = 16, int Layers = 1, int Heads = 2, int Dim = 64)
{
    public void Validate()
    {
        if (ContextLength < 1) throw new ArgumentException($"context_length must be at least 1, got {ContextLength}.");
        if (Layers < 1 || Heads < 1 || Dim < 1) throw new ArgumentException("transformer_layers, transformer_heads and transformer_dim must be at least 1.");
        if (Dim % Heads != 0) throw new ArgumentException($"transformer_dim ({Dim}) must be a multiple of transformer_heads ({Heads}).");
    }
}

/// <summary>
/// Causal self-attention over a window of an episode's torso features (the current step and the K before it), gated
/// like GTrXL (Parisotto et al. 2019):
/// each block is pre-LayerNorm attention and a feed-forward layer, each joined to its input by a GRU-type gate whose
/// bias starts the block near the identity (stable PPO training from the first update). Positions are encoded as a
/// learned bias per head and per age (how many steps back a key lies, 0…context), i.e. relative positions as in
/// Transformer-XL/T5, which stay meaningful as the window slides. A query sees only keys that are not in its future and
/// belong to the current episode; it always sees itself.
/// </summary>
public sealed class TransformerMemory : nn.Module
{
    private readonly Linear input;
    private readonly ModuleList<GatedBlock> blocks;
    private readonly LayerNorm output;
    private readonly int _context;

    public TransformerMemory(int features, TransformerSettings settings) : base("TransformerMemory")
    {
        settings.Validate();
        _context = settings.ContextLength;
        Layers = settings.Layers;
        input = Linear(features, settings.Dim);
        blocks = new ModuleList<GatedBlock>(Enumerable.Range(0, settings.Layers)
            .Select(_ => new GatedBlock(settings.Dim, settings.Heads, settings.ContextLength)).ToArray());
        output = LayerNorm(settings.Dim);
        RegisterComponents();
    }

    public int Layers { get; }

    /// <summary>
    /// <paramref name="features"/> [N, L, F] in time order and <paramref name="allowed"/> [N, L, L] (query, key) from
    /// <see cref="Allowed"/>; returns [N, L, Dim], or only the last position [N, Dim] when <paramref name="lastOnly"/>
    /// (the last block then computes that one query: acting needs nothing else).
    /// </summary>
    public Tensor Forward(Tensor features, Tensor allowed, bool lastOnly)
    {
        long length = features.shape[1];
        using var positions = arange(length, device: features.device);
        var age = (positions.unsqueeze(1) - positions.unsqueeze(0)).clamp(0, _context);
        var x = input.forward(features);
        for (int i = 0; i < blocks.Count; i++) x = blocks[i].Forward(x, allowed, age, lastOnly && i == blocks.Count - 1);
        return lastOnly ? output.forward(x[.., -1]) : output.forward(x);
    }

    /// <summary>
    /// Which keys each query may attend to, [N, L, L]: not in the future, at most <c>context</c> steps back, valid
    /// (<paramref name="valid"/> [N, L], 1 = a real observation) and of the same episode (<paramref name="episode"/>
    /// [N, L], a number that changes where an episode starts; null when the window holds one episode only); always
    /// itself, so no row is empty (invalid positions then give finite outputs that no valid position reads).
    /// </summary>
    public Tensor Allowed(Tensor valid, Tensor? episode = null)
    {
        long length = valid.shape[1];
        var positions = arange(length, device: valid.device);
        var back = positions.unsqueeze(1) - positions.unsqueeze(0);
        var allowed = back.ge(0).logical_and(back.le(_context)).unsqueeze(0).logical_and(valid.gt(0).unsqueeze(1));
        if (episode is not null) allowed = allowed.logical_and(episode.unsqueeze(2).eq(episode.unsqueeze(1)));
        return allowed.logical_or(eye(length, dtype: ScalarType.Bool, device: valid.device).unsqueeze(0));
    }

    /// <summary>One transformer block: x + gate(attention(LN x)), then x + gate(feed-forward(LN x)).</summary>
    private sealed class GatedBlock : nn.Module
    {
        private readonly LayerNorm attentionNorm, feedForwardNorm;
        private readonly Linear qkv, project, hidden, back;
        private readonly GruGate attentionGate, feedForwardGate;
        private readonly Parameter ageBias; // [heads, context + 1]
        private readonly int _heads, _headDim;

        public GatedBlock(int dim, int heads, int context) : base("GatedBlock")
        {
            _heads = heads;
            _headDim = dim / heads;
            attentionNorm = LayerNorm(dim);
            qkv = Linear(dim, 3 * dim);
            project = Linear(dim, dim);
            attentionGate = new GruGate(dim);
            feedForwardNorm = LayerNorm(dim);
            hidden = Linear(dim, 2 * dim);
            back = Linear(dim * 2, dim);
            feedForwardGate = new GruGate(dim);
            ageBias = Parameter(zeros(heads, context + 1));
            RegisterComponents();
        }

        /// <summary>x [N, L, D] → [N, L, D], or [N, 1, D] for the last query alone when <paramref name="lastOnly"/>.</summary>
        public Tensor Forward(Tensor x, Tensor allowed, Tensor age, bool lastOnly)
        {
            long b = x.shape[0], l = x.shape[1];
            var parts = qkv.forward(attentionNorm.forward(x)).view(b, l, 3, _heads, _headDim).permute(2, 0, 3, 1, 4);
            Tensor q = parts[0], k = parts[1], v = parts[2]; // [N, H, L, d]
            if (lastOnly)
            {
                q = q.narrow(2, l - 1, 1);
                allowed = allowed.narrow(1, l - 1, 1);
                age = age.narrow(0, l - 1, 1);
                x = x.narrow(1, l - 1, 1);
            }
            long queries = q.shape[2];
            var scores = q.matmul(k.transpose(-2, -1)).div(Math.Sqrt(_headDim));
            scores = scores + ageBias.index_select(1, age.flatten()).view(_heads, queries, l).unsqueeze(0);
            scores = scores.masked_fill(allowed.logical_not().unsqueeze(1), float.NegativeInfinity);
            var attended = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(b, queries, _heads * _headDim);
            x = attentionGate.Forward(x, functional.relu(project.forward(attended)));
            var mlp = back.forward(functional.relu(hidden.forward(feedForwardNorm.forward(x))));
            return feedForwardGate.Forward(x, functional.relu(mlp));
        }
    }

    /// <summary>
    /// GTrXL's GRU-type gate: r = σ(W_r y + U_r x), z = σ(W_z y + U_z x − b), h = tanh(W_g y + U_g (r ⊙ x)),
    /// out = (1 − z) ⊙ x + z ⊙ h. With b = 2 the block starts close to passing x through.
    /// </summary>
    private sealed class GruGate : nn.Module
    {
        private const double InitialBias = 2.0;
        private readonly Linear fromY, fromX, candidateX;

        public GruGate(int dim) : base("GruGate")
        {
            fromY = Linear(dim, 3 * dim);
            fromX = Linear(dim, 2 * dim, hasBias: false);
            candidateX = Linear(dim, dim, hasBias: false);
            RegisterComponents();
        }

        public Tensor Forward(Tensor x, Tensor y)
        {
            var yParts = fromY.forward(y).chunk(3, -1);
            var xParts = fromX.forward(x).chunk(2, -1);
            var r = (yParts[0] + xParts[0]).sigmoid();
            var z = (yParts[1] + xParts[1] - InitialBias).sigmoid();
            var h = (yParts[2] + candidateX.forward(r * x)).tanh();
            return x + z * (h - x);
        }
    }
}
