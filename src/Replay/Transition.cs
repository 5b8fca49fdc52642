namespace DeepRL.Replay;

/// <summary>
/// One stored transition, possibly an n-step one. <see cref="Discount"/> is the factor applied to the
/// bootstrap value of <see cref="NextObservation"/>: γⁿ when the episode goes on (or was truncated),
/// 0 when it terminated — so targets are <c>reward + discount · V(next)</c> whatever n was.
/// <see cref="NextActionMask"/> is the valid actions at <see cref="NextObservation"/> when the env masks actions
/// (empty otherwise), so the bootstrap max ranges over actions the agent could really take there.
/// </summary>
public readonly ref struct Transition
{
    public Transition(ReadOnlySpan<float> observation, int action, float reward, ReadOnlySpan<float> nextObservation, float discount,
        ReadOnlySpan<bool> nextActionMask = default)
    {
        NextActionMask = nextActionMask;
        Observation = observation;
        Action = action;
        Reward = reward;
        NextObservation = nextObservation;
        Discount = discount;
    }

    public ReadOnlySpan<float> Observation { get; }

    public int Action { get; }

    public float Reward { get; }

    public ReadOnlySpan<float> NextObservation { get; }

    public float Discount { get; }

    public ReadOnlySpan<bool> NextActionMask { get; }
}
