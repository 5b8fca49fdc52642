namespace DeepRL.Rendering;

/// <summary>The status line drawn over a frame: episode, step, return, last action and the agent's value estimate.</summary>
public sealed record HudInfo(int Episode, int Step, double Return, string? LastAction, double? Value)
{
    public override string ToString()
    {
        string text = $"ep {Episode}  step {Step}  return {Return:0.##}";
        if (LastAction is not null) text += $"  action {LastAction}";
        if (Value is double v && double.IsFinite(v)) text += $"  value {v:0.##}";
        return text;
    }
}
