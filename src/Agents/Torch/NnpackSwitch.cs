using System.Runtime.InteropServices;
using TorchSharp;

namespace DeepRL.Agents.Torch;

/// <summary>
/// On CPUs NNPACK does not support, libtorch logs "Could not initialize NNPACK! Reason: Unsupported hardware." every
/// time it considers NNPACK for a convolution — once per env step in a DQN MinAtar run (3,000 lines in 3,000 steps),
/// burying the run's output; <c>TORCH_CPP_LOG_LEVEL</c> does not silence it. Where NNPACK cannot run anyway, switching
/// it off changes nothing but the noise. TorchSharp does not bind the switch, so libtorch's own functions are called
/// (Linux x64, where their C++ names are known; elsewhere nothing happens).
/// </summary>
internal static class NnpackSwitch
{
    private static int _done;

    /// <summary>Called before the first convolution is built; at most one warning line is left (this check's own).</summary>
    public static void DisableWhereUnsupported()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU); // loads libtorch, so the names below resolve to the loaded copy
            if (NnpackAvailable()) return;
            SetUserEnabledNnpack(GlobalContext(), false);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Another libtorch build: keep its defaults.
        }
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at6native17_nnpack_availableEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool NnpackAvailable();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    // at::Context::setUserEnabledNNPACK(bool): a member function, so the context is the first argument.
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
