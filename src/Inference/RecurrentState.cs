namespace DeepRL.Inference;

/// <summary>
/// The LSTM state of a recurrent policy for a batch of envs, carried from one step to the next. Zero at an episode's
/// start: reset a row when its env resets.
/// </summary>
public sealed class RecurrentState
{
    public RecurrentState(int batch, int hidden)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "A recurrent state needs at least one row.");
        Batch = batch;
        Hidden = hidden;
        H = new float[batch * hidden];
        C = new float[batch * hidden];
    }

    public int Batch { get; }

    public int Hidden { get; }

    /// <summary>Hidden state [1, batch, hidden], row-major.</summary>
    public float[] H { get; }

    /// <summary>Cell state [1, batch, hidden], row-major.</summary>
    public float[] C { get; }

    /// <summary>Zeroes row <paramref name="row"/>: its env starts a new episode.</summary>
    public void ResetRow(int row)
    {
        H.AsSpan(row * Hidden, Hidden).Clear();
        C.AsSpan(row * Hidden, Hidden).Clear();
    }

    public void Reset()
    {
        Array.Clear(H);
        Array.Clear(C);
    }
}
