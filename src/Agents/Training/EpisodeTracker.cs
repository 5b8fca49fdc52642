namespace DeepRL.Agents.Training;

/// <summary>The run's finished training episodes: how many, the last one, and the mean return of the last 100.</summary>
public sealed class EpisodeTracker
{
    private const int Window = 100;
    private readonly Queue<double> _recent = new();

    public EpisodeTracker(RunState? resumed)
    {
        if (resumed is null) return;
        Count = resumed.Episodes;
        foreach (var r in resumed.RecentReturns) _recent.Enqueue(r);
    }

    public long Count { get; private set; }

    /// <summary>Return and length of the episode that finished last.</summary>
    public (double Return, int Length) Last { get; private set; }

    public double? RecentMeanReturn => _recent.Count == 0 ? null : _recent.Average();

    public double[] RecentReturns => _recent.ToArray();

    public void Add(double episodeReturn, int length)
    {
        Last = (episodeReturn, length);
        Count++;
        _recent.Enqueue(episodeReturn);
        if (_recent.Count > Window) _recent.Dequeue();
    }
}
