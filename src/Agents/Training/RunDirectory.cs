using System.Globalization;

namespace DeepRL.Agents.Training;

/// <summary>
/// The files of one run: <c>runs/&lt;env&gt;__&lt;algo&gt;__&lt;seed&gt;__&lt;timestamp&gt;/</c> with config.json,
/// metrics.csv, TensorBoard events, checkpoints/{latest,best}/, videos/ and summary.json.
/// </summary>
public sealed class RunDirectory
{
    public RunDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");

    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.csv");

    public string SummaryFile => System.IO.Path.Combine(Path, "summary.json");

    /// <summary>One row per evaluation during training: step, mean/std return, mean length, episodes, time.</summary>
    public string EvaluationsFile => System.IO.Path.Combine(Path, "evaluations.csv");

    public string TensorBoardDir => System.IO.Path.Combine(Path, "tensorboard");

    public string VideosDir => System.IO.Path.Combine(Path, "videos");

    public string CheckpointsDir => System.IO.Path.Combine(Path, "checkpoints");

    public string Checkpoint(string name) => System.IO.Path.Combine(CheckpointsDir, name);

    /// <summary>
    /// Creates a fresh run folder under <paramref name="root"/>: <c>ENV__ALGO__SEED__TIMESTAMP</c>, or
    /// <paramref name="name"/> when given (which must not exist yet: runs are never overwritten).
    /// </summary>
    public static RunDirectory Create(string root, string envId, string algo, int seed, string? name = null)
    {
        string path;
        if (name is not null)
        {
            if (name.Length == 0 || Sanitize(name) != name)
                throw new ArgumentException($"Run name '{name}' may only use letters, digits, '-', '_' and '.'.");
            path = System.IO.Path.Combine(root, name);
            if (Directory.Exists(path))
                throw new ArgumentException($"Run folder '{path}' already exists: runs are never overwritten; choose another name, or resume that run.");
        }
        else
        {
            string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            string baseName = $"{Sanitize(envId)}__{algo}__{seed}__{stamp}";
            path = System.IO.Path.Combine(root, baseName);
            for (int k = 2; Directory.Exists(path); k++) path = System.IO.Path.Combine(root, $"{baseName}-{k}");
        }
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RunStorageException($"Cannot create run folder '{path}': {RunStorageException.Cause(ex, root)}. Choose another --out.", ex);
        }
        return new RunDirectory(path);
    }

    /// <summary>Opens an existing run folder, with a clear error when it is not one.</summary>
    public static RunDirectory Open(string path)
    {
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"Run directory '{path}' does not exist. List your runs with 'ls runs/'.");
        var dir = new RunDirectory(path);
        if (!File.Exists(dir.ConfigFile))
            throw new FileNotFoundException($"'{path}' is not a DeepRL run: it has no config.json.", dir.ConfigFile);
        return dir;
    }

    /// <summary>A name safe in a file or folder name: letters, digits, '-', '_' and '.' kept, anything else (like the '/' of MinAtar/…) becomes '_'.</summary>
    public static string Sanitize(string s) => string.Concat(s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
