using System.Reflection;
using DeepRL.Environments.Board;
using DeepRL.Environments.Classic;
using DeepRL.Environments.GridWorlds;
using DeepRL.Environments.MinAtar;
using DeepRL.Environments.Wrappers;

namespace DeepRL.Environments;

/// <summary>
/// Maps environment ids to factories (Gymnasium's <c>gymnasium.make</c>). <see cref="Default"/> holds
/// the built-ins; add your own with <see cref="Register"/> or an <see cref="IEnvironmentPlugin"/> assembly.
/// </summary>
public sealed class EnvRegistry
{
    private readonly Dictionary<string, EnvSpec> _specs = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    /// <summary>The process-wide registry, with every built-in environment registered.</summary>
    public static EnvRegistry Default { get; } = CreateWithBuiltIns();

    public IReadOnlyList<EnvSpec> Specs
    {
        get
        {
            lock (_lock) return _specs.Values.ToList();
        }
    }

    public IReadOnlyList<string> Ids => Specs.Select(s => s.Id).ToList();

    public void Register(EnvSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec.Id)) throw new ArgumentException("An environment id cannot be empty.");
        lock (_lock)
        {
            if (_specs.ContainsKey(spec.Id)) throw new DuplicateEnvIdException(spec.Id);
            _specs[spec.Id] = spec;
        }
    }

    /// <summary>Removes a registration (tests, or a host that swaps an environment out); true if it existed.</summary>
    public bool Unregister(string id)
    {
        lock (_lock) return _specs.Remove(id);
    }

    public bool Contains(string id)
    {
        lock (_lock) return _specs.ContainsKey(id);
    }

    public EnvSpec GetSpec(string id)
    {
        lock (_lock)
        {
            if (_specs.TryGetValue(id, out var spec)) return spec;
            throw new UnknownEnvironmentException(id, _specs.Keys.Order().ToList());
        }
    }

    /// <summary>
    /// Builds the environment <paramref name="id"/> with its registered time limit. Options are the
    /// factory's keywords, plus <c>max_episode_steps</c> to override the time limit.
    /// </summary>
    public IEnvironment Make(string id, EnvOptions? options = null)
    {
        var spec = GetSpec(id);
        options ??= EnvOptions.None;
        IEnvironment env;
        try
        {
            env = spec.Factory(options);
        }
        catch (Exception ex) when (ex is not (ArgumentException or FormatException or NotSupportedException))
        {
            // Option errors (ArgumentException, FormatException) already say what to change; anything else is the env's own code.
            throw new EnvironmentException($"Environment {id} could not be created: its constructor threw {ex.GetType().Name}: {ex.Message.TrimEnd('.')}. " +
                                           "Fix the environment's code (run with --verbose for the stack trace).", ex);
        }
        int? limit = spec.MaxEpisodeStepsFor?.Invoke(options) ?? spec.MaxEpisodeSteps;
        if (options.Values.ContainsKey("max_episode_steps")) limit = options.GetInt("max_episode_steps", 0);
        options.ThrowIfUnused(id);
        env.Spec = spec with { MaxEpisodeSteps = limit };
        return limit is int l and > 0 ? new TimeLimit(env, l) : env;
    }

    /// <summary>Registers the environments of every <see cref="IEnvironmentPlugin"/> in an assembly file.</summary>
    public int LoadPlugins(string assemblyPath)
    {
        if (!File.Exists(assemblyPath))
            throw new FileNotFoundException($"Environment assembly '{assemblyPath}' does not exist.", assemblyPath);
        Assembly asm;
        try
        {
            asm = Assembly.LoadFrom(Path.GetFullPath(assemblyPath));
        }
        catch (BadImageFormatException)
        {
            throw new ArgumentException($"Environment assembly '{assemblyPath}' is not a .NET assembly: pass the .dll that 'dotnet build' makes from your environment project.");
        }
        return LoadPlugins(asm);
    }

    public int LoadPlugins(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            string first = ex.LoaderExceptions.FirstOrDefault(e => e is not null)?.Message ?? ex.Message;
            throw new ArgumentException($"Environment assembly {assembly.GetName().Name} could not be loaded: {first} " +
                                        "(is it built against this version of DeepRL.Environments, with its dependencies beside it?)");
        }
        var pluginTypes = types
            .Where(t => typeof(IEnvironmentPlugin).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToList();
        if (pluginTypes.Count == 0)
            throw new ArgumentException($"Assembly {assembly.GetName().Name} has no public IEnvironmentPlugin implementation.");
        int before = Specs.Count;
        foreach (var t in pluginTypes)
        {
            try
            {
                ((IEnvironmentPlugin)Activator.CreateInstance(t)!).Register(this);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
            {
                throw new ArgumentException($"Plugin {t.FullName} in {assembly.GetName().Name} failed while registering its environments: {inner.Message}");
            }
        }
        return Specs.Count - before;
    }

    private static EnvRegistry CreateWithBuiltIns()
    {
        var r = new EnvRegistry();
        r.Register(new EnvSpec("CartPole-v1", _ => new CartPole(), 500, 475,
            "Balance a pole on a cart (Gymnasium dynamics)", "classic"));
        r.Register(new EnvSpec("CartPole-Masked-v1", _ => new CartPole(maskVelocities: true), 500, 475,
            "CartPole with velocities hidden (obs = x, θ): needs memory", "classic"));
        r.Register(new EnvSpec("Pendulum-v1", _ => new Pendulum(), 200, null,
            "Swing up and balance a pendulum (continuous torque, Gymnasium dynamics)", "classic"));
        r.Register(new EnvSpec("TicTacToe-v0", o => new TicTacToe(o.GetString("invalid_moves", "error", "error", "lose") == "lose"), 9, 0.9,
            "Tic-tac-toe vs a random opponent; occupied cells are masked (invalid_moves=error|lose)", "board"));
        foreach (var (mapName, id) in new[]
                 {
                     ("Empty-8x8", "GridWorld-Empty-8x8"), ("FourRooms", "GridWorld-FourRooms"),
                     ("CliffWalking", "GridWorld-CliffWalking"), ("FrozenLake-8x8", "GridWorld-FrozenLake-8x8"),
                 })
        {
            var map = GridMap.BuiltIn(mapName);
            r.Register(new EnvSpec($"{id}-v0", o => new GridWorld(map, ParseMode(o, GridObservation.OneHot)),
                map.MaxSteps, map.RewardThreshold, map.Description + " (one-hot obs; obs=coords|image)", "gridworld"));
            r.Register(new EnvSpec($"{id}-Image-v0", o => new GridWorld(map, ParseMode(o, GridObservation.Image)),
                map.MaxSteps, map.RewardThreshold, map.Description + " (C×H×W image obs)", "gridworld"));
        }
        // The T-maze takes its corridor length as an option (length=5 is the shipped map): memory length is the knob.
        var tmaze = GridMap.BuiltIn("TMaze");
        r.Register(new EnvSpec("GridWorld-TMaze-v0", o => new GridWorld(TMazeMap(o), ParseMode(o, GridObservation.OneHot)),
            tmaze.MaxSteps, tmaze.RewardThreshold, tmaze.Description + " (one-hot obs; obs=coords|image; length=N corridor cells)", "gridworld",
            o => TMazeMap(o).MaxSteps));
        r.Register(new EnvSpec("GridWorld-TMaze-Image-v0", o => new GridWorld(TMazeMap(o), ParseMode(o, GridObservation.Image)),
            tmaze.MaxSteps, tmaze.RewardThreshold, tmaze.Description + " (C×H×W image obs; length=N corridor cells)", "gridworld",
            o => TMazeMap(o).MaxSteps));
        foreach (var (game, description) in new[]
                 {
                     ("Asterix", "collect gold, dodge enemies"), ("Breakout", "bounce the ball into bricks"),
                     ("Freeway", "cross eight lanes of traffic"), ("Seaquest", "shoot, rescue divers, surface for air"),
                     ("SpaceInvaders", "shoot the marching aliens"),
                 })
        {
            foreach (bool minimal in new[] { false, true })
            {
                string id = $"MinAtar/{game}-v{(minimal ? 1 : 0)}";
                // MinAtar itself has no time limit; a greedy policy can stall forever (e.g. a Seaquest sub idling at
                // the surface), so the registry truncates at 10 000 steps (max_episode_steps=… overrides it).
                r.Register(new EnvSpec(id, o => new MinAtarEnv(game, minimal, o.GetDouble("sticky", 0.1), o.GetBool("ramping", true)),
                    10_000, null, $"MinAtar {game}: {description} ({(minimal ? "minimal" : "all 6")} actions; sticky=0.1, ramping=true)", "minatar"));
            }
        }
        return r;
    }

    // Maps are immutable: one per corridor length serves every env (a vector env makes hundreds, each asking twice).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, GridMap> TMazes = new();

    private static GridMap TMazeMap(EnvOptions o) =>
        TMazes.GetOrAdd(o.GetInt("length", GridMap.DefaultTMazeLength),
            length => length == GridMap.DefaultTMazeLength ? GridMap.BuiltIn("TMaze") : GridMap.TMaze(length));

    private static GridObservation ParseMode(EnvOptions o, GridObservation fallback) =>
        o.GetString("obs", fallback switch { GridObservation.Image => "image", _ => "onehot" }, "onehot", "coords", "image") switch
        {
            "image" => GridObservation.Image,
            "coords" => GridObservation.Coordinates,
            _ => GridObservation.OneHot,
        };
}
