using System.Diagnostics;

namespace DeepRL.Environments.Wrappers;

/// <summary>
/// Tracks each episode's return and length, and adds an <see cref="EpisodeStatistics"/> under
/// <c>"episode"</c> to the info of the step that ends it.
/// </summary>
public sealed class RecordEpisodeStatistics : Wrapper, ISnapshotable, IValidOutputs
{
    private double _return;
    private int _length;
    private long _startTicks;

    public RecordEpisodeStatistics(IEnvironment inner) : base(inner)
    {
    }

    public const string InfoKey = "episode";

    /// <summary>Observations and rewards pass through unchanged.</summary>
    public bool OutputsValidByConstruction => ValidOutputs.Of(Inner);

    public double CurrentReturn => _return;

    public int CurrentLength => _length;

    public EpisodeStatistics? LastEpisode { get; private set; }

    public override ResetResult Reset(int? seed = null)
    {
        _return = 0;
        _length = 0;
        _startTicks = Stopwatch.GetTimestamp();
        return Inner.Reset(seed);
    }

    public override StepResult Step(EnvAction action)
    {
        var r = Inner.Step(action);
        _return += r.Reward;
        _length++;
        if (!r.Done) return r;
        LastEpisode = new EpisodeStatistics(_return, _length, Stopwatch.GetElapsedTime(_startTicks).TotalSeconds);
        return r with { Info = r.Info.With(InfoKey, LastEpisode) };
    }

    /// <summary>Return and length of the episode in progress; its wall-clock time restarts on load (not part of any result that must reproduce).</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_return);
        writer.Write(_length);
    }

    public void LoadState(BinaryReader reader)
    {
        _return = reader.ReadDouble();
        _length = reader.ReadInt32();
        _startTicks = Stopwatch.GetTimestamp();
    }
}
