using DeepRL.Environments;

namespace MyEnv;

/// <summary>
/// Makes the environments known to the deeprl tool: <c>deeprl train --env MyEnv-v0 --env-assembly bin/Debug/net10.0/MyEnv.dll</c>.
/// A run remembers the assembly, so eval, watch, record and --resume of it need no --env-assembly.
/// </summary>
public sealed class MyEnvPlugin : IEnvironmentPlugin
{
    public void Register(EnvRegistry registry)
    {
        registry.Register(new EnvSpec("MyEnv-v0", _ => new MyEnvGame(), MaxEpisodeSteps: 100, RewardThreshold: 0.9,
            Description: "Catch the falling ball (3 numbers)", Family: "custom"));
        registry.Register(new EnvSpec("MyEnv-Image-v0", _ => new MyEnvGame(imageObservations: true), MaxEpisodeSteps: 100, RewardThreshold: 0.9,
            Description: "Catch the falling ball (2×10×5 image: CNN policy)", Family: "custom"));
    }
}
