// Tests touch process-wide state (the env registry, TorchSharp's global seed); run fixtures one at a time.
[assembly: NUnit.Framework.NonParallelizable]
