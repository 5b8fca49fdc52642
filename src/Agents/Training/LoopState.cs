using DeepRL.Environments;
using DeepRL.Environments.Vector;
using TorchSharp;

namespace DeepRL.Agents.Training;

/// <summary>
/// What an agent's training loop holds between two steps besides weights, optimizer and random state — its vector
/// env (episodes in progress and their generators), its schedule counters, a partial rollout — saved in every
/// checkpoint as <c>loop.bin</c> so a resumed run continues exactly where it stopped. While its loop runs the agent
/// attaches a writer (a closure over the loop's variables, so a checkpoint taken at any step sees their current
/// values); when the loop ends it detaches, capturing the final state for the checkpoint saved after it.
/// </summary>
public sealed class LoopState
{
    public const string FileName = "loop.bin";
    private const string Magic = "DEEPRL-LOOP";

    private readonly string _algo;
    private readonly int _formatVersion;
    private Func<long>? _step;
    private Action<BinaryWriter>? _write;
    private byte[]? _final;
    private byte[]? _loaded;
    private string? _loadedFrom;

    /// <summary>
    /// The loop state of <paramref name="algo"/>. Its <paramref name="formatVersion"/> is raised whenever the algorithm's own
    /// part changes layout: an older file then resumes reproducibly but not exactly (with a warning) instead of being misread.
    /// </summary>
    public LoopState(string algo, int formatVersion = 1)
    {
        _algo = algo;
        _formatVersion = formatVersion;
    }

    /// <summary>Called by the loop once its envs exist; <paramref name="write"/> writes the loop's own part after the env's.</summary>
    public void Attach(IVectorEnvironment envs, Func<long> step, Action<BinaryWriter> write)
    {
        _step = step;
        _write = writer =>
        {
            bool withEnvs = envs is ISnapshotable { SnapshotBlocker: null };
            writer.Write(withEnvs);
            if (!withEnvs) return; // nothing else is worth restoring without the env the loop was stepping
            ((ISnapshotable)envs).SaveState(writer);
            SaveTorchRng(writer);
            write(writer);
        };
        _final = null;
    }

    /// <summary>Called when the loop ends, before its envs are disposed.</summary>
    public void Detach()
    {
        if (_write is not null) _final = Capture();
        _write = null;
    }

    /// <summary>Called when the loop fails: its half-done step is no state to resume from.</summary>
    public void Abandon()
    {
        _write = null;
        _final = null;
    }

    public void Save(string directory)
    {
        var bytes = _write is not null ? Capture() : _final;
        if (bytes is not null) File.WriteAllBytes(Path.Combine(directory, FileName), bytes);
    }

    /// <summary>Remembers a checkpoint's loop state for the next <see cref="Resume"/> (or forgets an older one when it has none).</summary>
    public void Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        _loaded = File.Exists(path) ? File.ReadAllBytes(path) : null;
        _loadedFrom = path;
    }

    /// <summary>
    /// For a loop that is starting: restores the saved vector env and returns a reader positioned at the loop's own
    /// part — or null when this is a fresh run, or the state cannot be used (the run then says why: this resume is
    /// reproducible but not exact).
    /// </summary>
    public BinaryReader? Resume(TrainingRun run, IVectorEnvironment envs)
    {
        var bytes = _loaded;
        _loaded = null;
        if (!run.IsResumed) return null;
        const string consequence = "episodes in progress restart and the loop's schedules start over, so this resume is not exact";
        if (bytes is null)
        {
            run.Warn($"The checkpoint has no {FileName} (saved by an older DeepRL): {consequence}.");
            return null;
        }
        var reader = new BinaryReader(new MemoryStream(bytes));
        try
        {
            if (reader.ReadString() != Magic) throw new InvalidDataException("it is not a DeepRL loop state");
            int version = reader.ReadInt32();
            string algo = reader.ReadString();
            if (algo != _algo) throw new InvalidDataException($"it was written by {algo}, not {_algo}");
            if (version != _formatVersion)
            {
                run.Warn($"The checkpoint's {FileName} has {_algo} loop format {version}, this DeepRL reads format {_formatVersion}: {consequence}.");
                return null;
            }
            long step = reader.ReadInt64();
            if (step != run.Step) throw new InvalidDataException($"it belongs to step {step}, the checkpoint to step {run.Step}");
            if (!reader.ReadBoolean())
            {
                run.Warn($"{run.Options.EnvId} could not save its state ({Blocker(envs)} does not implement ISnapshotable): {consequence}.");
                return null;
            }
            if (envs is not ISnapshotable snapshotable || snapshotable.SnapshotBlocker is not null)
            {
                run.Warn($"{run.Options.EnvId} cannot restore its state ({Blocker(envs)} does not implement ISnapshotable): {consequence}.");
                return null;
            }
            snapshotable.LoadState(reader);
            LoadTorchRng(reader);
            return reader;
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"Checkpoint file '{_loadedFrom}' cannot be used: {ex.Message}.", ex);
        }
    }

    private static string Blocker(IVectorEnvironment envs) => (envs as ISnapshotable)?.SnapshotBlocker ?? envs.GetType().Name;

    private byte[] Capture()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(_formatVersion);
            writer.Write(_algo);
            writer.Write(_step!());
            _write!(writer);
        }
        return stream.ToArray();
    }

    // Our agents draw every sample from their own Rng, but torch's generator initialises networks and would drive any
    // random layer a policy adds: saved too, so nothing random restarts on resume.
    private static void SaveTorchRng(BinaryWriter writer)
    {
        using var state = torch.random.get_rng_state();
        writer.WriteArray<byte>(state.data<byte>().ToArray());
    }

    private static void LoadTorchRng(BinaryReader reader)
    {
        using var state = torch.random.get_rng_state();
        var bytes = new byte[state.NumberOfElements];
        reader.ReadArray<byte>(bytes);
        using var saved = torch.tensor(bytes);
        torch.random.set_rng_state(saved);
    }
}
