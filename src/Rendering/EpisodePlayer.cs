using DeepRL.Environments;
using DeepRL.Environments.Evaluation;
using DeepRL.Environments.Rendering;

namespace DeepRL.Rendering;

/// <summary>
/// Plays episodes of an environment with a policy one step at a time and keeps what the HUD shows:
/// episode, step, return, last action and (when given) the agent's value estimate.
/// </summary>
public sealed class EpisodePlayer
{
    private readonly IEnvironment _env;
    private readonly IActionPolicy _policy;
    private readonly ActionMaskReader _masks;
    private readonly Func<float[], double?>? _value;
    private float[] _obs = [];
    private int? _seed;

    public EpisodePlayer(IEnvironment env, IActionPolicy policy, int? seed, Func<float[], double?>? valueEstimate = null)
    {
        _env = env;
        _policy = policy;
        _masks = new ActionMaskReader(env);
        _seed = seed;
        _value = valueEstimate;
        Drawable = FrameRenderer.Renderable(env);
        StartEpisode();
        Episode = 1;
    }

    public IRenderable Drawable { get; }

    public int Episode { get; private set; }

    public int StepInEpisode { get; private set; }

    public double Return { get; private set; }

    public string? LastAction { get; private set; }

    /// <summary>True once the current episode has ended (the next <see cref="Step"/> starts a new one).</summary>
    public bool EpisodeOver { get; private set; }

    public HudInfo Hud => new(Episode, StepInEpisode, Return, LastAction, _value?.Invoke(_obs));

    private void StartEpisode()
    {
        _obs = (float[])_env.Reset(_seed).Observation.Clone();
        _seed = null; // later episodes continue the env's random stream
        _policy.BeginEpisode();
        StepInEpisode = 0;
        Return = 0;
        LastAction = null;
        EpisodeOver = false;
    }

    /// <summary>Starts the current episode over (viewer 'restart').</summary>
    public void Restart()
    {
        StartEpisode();
    }

    /// <summary>Advances one step; after an episode ends, the next call starts the next episode.</summary>
    public void Step()
    {
        if (EpisodeOver)
        {
            Episode++;
            StartEpisode();
            return;
        }
        var action = _policy.Act(_obs, _masks.Current);
        var r = _env.Step(action);
        LastAction = action.ToString();
        r.Observation.AsSpan().CopyTo(_obs);
        StepInEpisode++;
        Return += r.Reward;
        EpisodeOver = r.Done;
    }
}
