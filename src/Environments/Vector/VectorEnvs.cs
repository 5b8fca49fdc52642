namespace DeepRL.Environments.Vector;

/// <summary>How to run the envs of a vector env.</summary>
public enum VectorMode
{
    /// <summary>One after another on the calling thread.</summary>
    Sync,

    /// <summary>In parallel slices on worker threads.</summary>
    Threaded,
}

/// <summary>Builds vector environments from registry ids (Gymnasium's <c>make_vec</c>).</summary>
public static class VectorEnvs
{
    /// <summary>
    /// Makes <paramref name="numEnvs"/> copies of <paramref name="id"/>. CartPole ids use the specialised
    /// struct-of-arrays implementation unless <paramref name="generic"/> is set.
    /// </summary>
    public static IVectorEnvironment Make(string id, int numEnvs, VectorMode mode = VectorMode.Sync, int threads = 0,
        EnvOptions? options = null, EnvRegistry? registry = null, bool generic = false)
    {
        registry ??= EnvRegistry.Default;
        var spec = registry.GetSpec(id);
        int threadCount = mode == VectorMode.Sync ? 1 : threads <= 0 ? Environment.ProcessorCount : threads;
        bool plainOptions = options is null || options.Values.Count == 0;
        if (!generic && plainOptions && registry == EnvRegistry.Default && id is "CartPole-v1" or "CartPole-Masked-v1")
            return new CartPoleVectorEnv(numEnvs, threadCount, spec.MaxEpisodeSteps ?? 500, id == "CartPole-Masked-v1", spec);

        var envs = new IEnvironment[numEnvs];
        for (int i = 0; i < numEnvs; i++) envs[i] = registry.Make(id, options);
        return mode == VectorMode.Sync ? new SyncVectorEnv(envs) : new ThreadedVectorEnv(envs, threadCount);
    }
}
