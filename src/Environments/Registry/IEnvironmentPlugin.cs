namespace DeepRL.Environments;

/// <summary>
/// Implement this (with a public parameterless constructor) in your own assembly to add environments;
/// <c>deeprl ... --env-assembly MyEnvs.dll</c> finds it and calls <see cref="Register"/>.
/// </summary>
public interface IEnvironmentPlugin
{
    void Register(EnvRegistry registry);
}
