using System.Text.Json;
using DeepRL.Agents.Config;

namespace DeepRL.Agents.Benchmarking;

/// <summary>
/// What a benchmark runs: every env × algorithm × seed (seeds 1…<see cref="Seeds"/>), each cell a normal training
/// run. Named suites (<c>--suite classic</c>, <c>minatar</c>) are these records in files; the benchmark folder keeps
/// its own copy (benchmark.json) so <c>--resume</c> and <c>report</c> need nothing else.
/// </summary>
public sealed record BenchmarkSpec
{
    public const string FileName = "benchmark.json";

    public string[] Envs { get; init; } = [];

    public string[] Algos { get; init; } = [];

    public int Seeds { get; init; } = 5;

    /// <summary>Env steps per cell; null = each algorithm's per-env default (total_timesteps).</summary>
    public long? Steps { get; init; }

    public long EvalEvery { get; init; } = 10_000;

    public int EvalEpisodes { get; init; } = 30;

    /// <summary>Env steps between checkpoints (an interrupted cell resumes from its last one).</summary>
    public long CheckpointEvery { get; init; } = 25_000;

    /// <summary>Hyperparameter overrides (key=value) given to every cell.</summary>
    public string[] Set { get; init; } = [];

    /// <summary>Plugin assemblies (absolute paths) the cells' custom environments come from.</summary>
    public string[] EnvAssemblies { get; init; } = [];

    /// <summary>
    /// Cells trained at once (cores ÷ parallel threads each). Recorded when a benchmark starts so <c>--resume</c>
    /// keeps it: A3C cells get that many workers, and a grid resumed with another split would mix worker counts.
    /// </summary>
    public int? Parallel { get; init; }

    /// <summary>Per-env reference scores for the normalized aggregate (else the env's reward threshold, else the benchmark's best).</summary>
    public Dictionary<string, double> ReferenceScores { get; init; } = [];

    public IEnumerable<BenchmarkCell> Cells() =>
        from env in Envs from algo in Algos from seed in Enumerable.Range(1, Seeds) select new BenchmarkCell(env, algo, seed);

    public void Validate()
    {
        if (Envs.Length == 0 || Algos.Length == 0) throw new ArgumentException("A benchmark needs at least one env (--envs) and one algorithm (--algos).");
        if (Parallel is < 1) throw new ArgumentException($"--parallel must be at least 1, got {Parallel}.");
        if (Seeds < 1) throw new ArgumentException($"--seeds must be at least 1, got {Seeds}.");
        if (Steps is <= 0) throw new ArgumentException($"--steps must be positive, got {Steps}.");
        if (CheckpointEvery <= 0) throw new ArgumentException($"checkpoint_every must be positive, got {CheckpointEvery}.");
        if (EvalEvery <= 0 || EvalEpisodes <= 0) throw new ArgumentException("eval_every and eval_episodes must be positive: the benchmark scores evaluations.");
        foreach (var algo in Algos) AgentCatalog.CheckKnown(algo);
    }

    /// <summary>The names of the built-in suites.</summary>
    public static IReadOnlyList<string> Suites => ["classic", "minatar"];

    /// <summary>A built-in suite, or a suite file (JSON with these snake_case fields).</summary>
    public static BenchmarkSpec LoadSuite(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return Parse(File.ReadAllText(nameOrPath), nameOrPath);
        using var stream = typeof(BenchmarkSpec).Assembly.GetManifestResourceStream($"DeepRL.Agents.Config.Suites.{nameOrPath}.json")
                           ?? throw new ArgumentException($"Unknown suite '{nameOrPath}': the built-in suites are {string.Join(", ", Suites)}, or give a suite file.");
        return Parse(new StreamReader(stream).ReadToEnd(), $"suite {nameOrPath}");
    }

    public static BenchmarkSpec Read(string benchmarkFolder)
    {
        string path = Path.Combine(benchmarkFolder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{benchmarkFolder}' is not a benchmark folder: it has no {FileName}.", path);
        return Parse(File.ReadAllText(path), path);
    }

    public void Write(string benchmarkFolder) => Training.AtomicFile.WriteAllText(Path.Combine(benchmarkFolder, FileName), ToJson());

    /// <summary>The definition as benchmark.json holds it (also what a cluster coordinator sends its nodes).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads and validates a definition; <paramref name="source"/> names it in errors.</summary>
    public static BenchmarkSpec FromJson(string json, string source) => Parse(json, source);

    private static readonly JsonSerializerOptions Options = new(HyperparameterResolver.Json)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DictionaryKeyPolicy = null,
    };

    private static BenchmarkSpec Parse(string json, string source)
    {
        try
        {
            var spec = JsonSerializer.Deserialize<BenchmarkSpec>(json, Options) ?? throw new InvalidDataException($"{source} is empty.");
            spec.Validate();
            return spec;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source} is not a valid benchmark definition: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{source}: {ex.Message}");
        }
    }
}

/// <summary>One training run of a benchmark; its run folder is runs/<see cref="Name"/>.</summary>
public sealed record BenchmarkCell(string Env, string Algo, int Seed)
{
    public string Name => $"{Training.RunDirectory.Sanitize(Env)}__{Algo}__{Seed}";
}
