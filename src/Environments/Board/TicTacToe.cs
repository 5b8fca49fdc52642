using DeepRL.Environments.Rendering;
using DeepRL.Environments.Spaces;

namespace DeepRL.Environments.Board;

/// <summary>
/// Tic-tac-toe against a uniformly random opponent: the agent plays X and moves first; action k puts an X on
/// cell k (row-major, 0–8), then the opponent puts an O on a random free cell. Reward +1 for a win, −1 for a
/// loss, 0 for a draw. Observation: 18 values, cells the agent holds then cells the opponent holds (1/0).
/// Occupied cells are invalid moves, exposed through <see cref="IActionMasking"/>. What an invalid move does
/// is an option: <c>invalid_moves=error</c> (default) throws <see cref="InvalidActionException"/>, so a run that
/// finishes proves the agent never chose one; <c>invalid_moves=lose</c> ends the episode with −1 instead, the
/// usual way to teach legality by penalty (the mask then allows every cell, so agents learn without it).
/// </summary>
public sealed class TicTacToe : IEnvironment, IActionMasking, IRenderable, ISnapshotable
{
    private const int Empty = 0, Agent = 1, Opponent = 2;

    private static readonly int[][] Lines =
    [
        [0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6],
    ];

    private readonly int[] _board = new int[9];
    private readonly float[] _obs = new float[18];
    private readonly bool _loseOnInvalid;
    private Rng _rng = Rng.FromEntropy();
    private bool _over = true;

    public TicTacToe(bool loseOnInvalidMove = false) => _loseOnInvalid = loseOnInvalidMove;

    public Box ObservationSpace { get; } = new([18], 0f, 1f);

    public Space ActionSpace { get; } = new Discrete(9);

    public EnvSpec? Spec { get; set; }

    /// <summary>Invalid moves played since construction (only possible with <c>invalid_moves=lose</c>).</summary>
    public int InvalidMoves { get; private set; }

    /// <summary>The board: 0 empty, 1 the agent's X, 2 the opponent's O (row-major).</summary>
    public ReadOnlySpan<int> Board => _board;

    public ResetResult Reset(int? seed = null)
    {
        if (seed is int s) _rng = new Rng((ulong)s);
        Array.Clear(_board);
        _over = false;
        return new ResetResult(Observe(), Info.Empty);
    }

    public StepResult Step(EnvAction action)
    {
        if (_over) throw new InvalidOperationException("TicTacToe: the game is over; call Reset() first.");
        int a = action.Discrete;
        if ((uint)a >= 9) throw new ArgumentOutOfRangeException(nameof(action), a, "TicTacToe actions are cells 0–8 (row-major).");
        if (_board[a] != Empty)
        {
            if (!_loseOnInvalid)
                throw new InvalidActionException($"TicTacToe: cell {a} is occupied, so action {a} is invalid now; valid actions: {ValidList()}. " +
                                                 "Read the mask through IActionMasking (every DeepRL agent does).");
            InvalidMoves++;
            return Finish(-1f);
        }
        _board[a] = Agent;
        if (Wins(Agent)) return Finish(1f);
        if (Full()) return Finish(0f);
        _board[RandomFreeCell()] = Opponent;
        if (Wins(Opponent)) return Finish(-1f);
        if (Full()) return Finish(0f);
        return new StepResult(Observe(), 0f, false, false, Info.Empty);
    }

    /// <summary>Free cells; with <c>invalid_moves=lose</c> every cell, since the env then accepts any move (and penalises the illegal ones).</summary>
    public void WriteActionMask(Span<bool> valid)
    {
        for (int k = 0; k < 9; k++) valid[k] = !_over && (_loseOnInvalid || _board[k] == Empty);
    }

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_rng);
        writer.Write(_over);
        writer.Write(InvalidMoves);
        writer.WriteArray<int>(_board);
    }

    public void LoadState(BinaryReader reader)
    {
        reader.ReadInto(_rng);
        _over = reader.ReadBoolean();
        InvalidMoves = reader.ReadInt32();
        reader.ReadArray<int>(_board);
    }

    private StepResult Finish(float reward)
    {
        _over = true;
        return new StepResult(Observe(), reward, true, false, Info.Empty);
    }

    private int RandomFreeCell()
    {
        int free = 0;
        foreach (int cell in _board) if (cell == Empty) free++;
        int pick = _rng.NextInt(free);
        for (int k = 0; k < 9; k++)
        {
            if (_board[k] != Empty) continue;
            if (pick-- == 0) return k;
        }
        throw new InvalidOperationException("No free cell.");
    }

    private bool Wins(int player)
    {
        foreach (var line in Lines) // loops, not LINQ: stepping allocates nothing
        {
            if (_board[line[0]] == player && _board[line[1]] == player && _board[line[2]] == player) return true;
        }
        return false;
    }

    private bool Full() => Array.IndexOf(_board, Empty) < 0;

    private string ValidList()
    {
        Span<bool> valid = stackalloc bool[9];
        WriteActionMask(valid);
        return ActionMask.Describe(valid);
    }

    private float[] Observe()
    {
        for (int k = 0; k < 9; k++)
        {
            _obs[k] = _board[k] == Agent ? 1f : 0f;
            _obs[9 + k] = _board[k] == Opponent ? 1f : 0f;
        }
        return _obs;
    }

    public (int Width, int Height) PreferredFrameSize => (240, 240);

    public void Render(ICanvas canvas)
    {
        float cell = Math.Min(canvas.Width, canvas.Height) / 3f, thick = cell * 0.06f;
        canvas.Clear(Color.FromHex(0xF4F1E8));
        for (int k = 1; k < 3; k++)
        {
            canvas.Line(k * cell, 0, k * cell, 3 * cell, thick, Color.FromHex(0x333333));
            canvas.Line(0, k * cell, 3 * cell, k * cell, thick, Color.FromHex(0x333333));
        }
        for (int k = 0; k < 9; k++)
        {
            float cx = (k % 3 + 0.5f) * cell, cy = (k / 3 + 0.5f) * cell, r = cell * 0.3f;
            if (_board[k] == Agent)
            {
                var x = Color.FromHex(0x1F77B4);
                canvas.Line(cx - r, cy - r, cx + r, cy + r, thick * 1.5f, x);
                canvas.Line(cx - r, cy + r, cx + r, cy - r, thick * 1.5f, x);
            }
            else if (_board[k] == Opponent)
            {
                canvas.FillCircle(cx, cy, r, Color.FromHex(0xD62728));
                canvas.FillCircle(cx, cy, r - thick * 1.5f, Color.FromHex(0xF4F1E8));
            }
        }
    }

    public void Dispose()
    {
    }
}
