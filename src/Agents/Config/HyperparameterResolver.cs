using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DeepRL.Environments.Text;

namespace DeepRL.Agents.Config;

/// <summary>
/// Resolves an algorithm's hyperparameters in layers, like RL Zoo: the record's own defaults, then the
/// built-in per-environment defaults (<c>Config/Defaults/&lt;algo&gt;.json</c>, keyed by env id or a
/// <c>*</c> pattern), then the user's JSON file (<c>--config</c>), then <c>key=value</c> overrides from
/// the command line. Keys are snake_case; an unknown key is an error that suggests the closest one.
/// </summary>
public static class HyperparameterResolver
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static T Resolve<T>(string algo, string envId, string? configFile, IEnumerable<string> overrides) where T : new() =>
        Resolve<T>(algo, envId, configFile, overrides, out _);

    /// <summary>As <see cref="Resolve{T}(string, string, string?, IEnumerable{string})"/>, also telling where each key's value came from.</summary>
    /// <param name="algo">dqn, ppo, a2c, a3c or impala (whose built-in per-env defaults apply).</param>
    /// <param name="envId">The env whose defaults apply.</param>
    /// <param name="configFile">A JSON file of hyperparameters, or null.</param>
    /// <param name="overrides">key=value pairs (--set).</param>
    /// <param name="origins">Where each key's value came from (built-in defaults, the config file, the command line).</param>
    public static T Resolve<T>(string algo, string envId, string? configFile, IEnumerable<string> overrides, out Dictionary<string, string> origins) where T : new()
    {
        var node = JsonSerializer.SerializeToNode(new T(), Json)!.AsObject();
        var keys = node.Select(kv => kv.Key).ToList();
        var from = origins = [];

        if (BuiltInDefaults(algo, envId) is { } builtIn) Merge(node, builtIn, keys, $"built-in {algo} defaults for {envId}", from);

        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new FileNotFoundException($"Config file '{configFile}' does not exist.", configFile);
            JsonNode? user;
            try
            {
                user = JsonNode.Parse(File.ReadAllText(configFile), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException ex)
            {
                throw new FormatException($"Config file '{configFile}' is not valid JSON: {ex.Message}");
            }
            if (user is not JsonObject obj) throw new FormatException($"Config file '{configFile}' must hold one JSON object of hyperparameters.");
            Merge(node, obj, keys, $"config file '{configFile}'", from);
        }

        foreach (string pair in overrides)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"Override '{pair}' is not of the form key=value (e.g. learning_rate=0.001).");
            string key = pair[..eq].Trim(), raw = pair[(eq + 1)..].Trim();
            CheckKey(key, keys, "the command line", algo);
            node[key] = ParseValue(raw, node[key], key);
            from[key] = $"--set {key}={raw}";
        }

        try
        {
            return node.Deserialize<T>(Json)!;
        }
        catch (JsonException ex)
        {
            string key = ex.Path?.TrimStart('$', '.') ?? "?";
            string where = from.TryGetValue(key, out string? origin) ? $" (from {origin})" : "";
            throw new ArgumentException($"Hyperparameter {key}{where} has the wrong type: {node[key]?.ToJsonString() ?? "null"}; " +
                                        $"expected {JsonSerializer.SerializeToNode(new T(), Json)!.AsObject()[key]?.GetValueKind().ToString().ToLowerInvariant() ?? "a value"} like its default.");
        }
    }

    /// <summary>Adds where the offending value came from to a validation message that names a hyperparameter.</summary>
    public static string WithOrigin(string message, IReadOnlyDictionary<string, string> origins)
    {
        foreach (var key in origins.Keys.OrderByDescending(k => k.Length))
        {
            if (System.Text.RegularExpressions.Regex.IsMatch(message, $@"(^|[^a-z_]){key}([^a-z_]|$)"))
                return $"{message.TrimEnd('.')} (from {origins[key]}).";
        }
        return message;
    }

    private static void Merge(JsonObject target, JsonObject source, List<string> keys, string origin, Dictionary<string, string> origins)
    {
        foreach (var (key, value) in source)
        {
            CheckKey(key, keys, origin, null);
            if (value is null) throw new ArgumentException($"Hyperparameter {key} is null in {origin}; give it a value or leave the key out to keep the default.");
            target[key] = value.DeepClone();
            origins[key] = origin;
        }
    }

    private static void CheckKey(string key, List<string> keys, string origin, string? algo)
    {
        if (keys.Contains(key)) return;
        string? closest = ClosestMatch.Find(key, keys, Math.Max(2, key.Length / 3));
        string hint = closest is null ? "" : $" Did you mean '{closest}'?";
        throw new ArgumentException($"Unknown hyperparameter '{key}' in {origin}.{hint} Valid keys: {string.Join(", ", keys)}.");
    }

    private static JsonNode? ParseValue(string raw, JsonNode? current, string key)
    {
        try
        {
            return current switch
            {
                JsonArray => new JsonArray(raw.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => (JsonNode)JsonValue.Create(int.Parse(s, CultureInfo.InvariantCulture))).ToArray()),
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => JsonValue.Create(bool.Parse(raw)),
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)),
                _ => JsonValue.Create(raw),
            };
        }
        catch (FormatException)
        {
            throw new ArgumentException($"Hyperparameter {key}={raw}: expected {(current is JsonArray ? "comma-separated integers" : current?.GetValueKind().ToString().ToLowerInvariant())}.");
        }
    }

    private static JsonObject? BuiltInDefaults(string algo, string envId)
    {
        var asm = Assembly.GetExecutingAssembly();
        using var stream = asm.GetManifestResourceStream($"DeepRL.Agents.Config.Defaults.{algo}.json");
        if (stream is null) return null;
        var all = JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        // Exact id first, then the most specific matching pattern.
        if (all[envId] is JsonObject exact) return exact;
        var match = all.Where(kv => kv.Key.Contains('*') && Glob(kv.Key, envId)).OrderByDescending(kv => kv.Key.Length).FirstOrDefault();
        return match.Value as JsonObject;
    }

    private static bool Glob(string pattern, string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*") + "$");
}
