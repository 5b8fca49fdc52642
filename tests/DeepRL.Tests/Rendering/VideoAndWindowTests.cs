using System.Diagnostics;
using DeepRL.Environments.Classic;
using DeepRL.Rendering;
using DeepRL.Rendering.Sdl;
using DeepRL.Tests.Cli;
using SkiaSharp;

namespace DeepRL.Tests.Rendering;

[Category("Process")]

public class VideoAndWindowTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("deeprl-video-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs <paramref name="body"/> with one environment variable changed, then restores it.</summary>
    private static void WithEnvironment(string name, string? value, Action body)
    {
        string? previous = Environment.GetEnvironmentVariable(name);
        try
        {
            Environment.SetEnvironmentVariable(name, value);
            body();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, previous);
        }
    }

    private static (int Frames, int Width, int Height) Probe(string path)
    {
        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0", path]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string line = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        var parts = line.Split(',');
        return (int.Parse(parts[2]), int.Parse(parts[0]), int.Parse(parts[1]));
    }

    [TestCase("mp4")]
    [TestCase("gif")]
    public void Record_writes_a_video_ffprobe_reads_with_every_frame(string ext)
    {
        string path = Path.Combine(_dir, $"cartpole.{ext}");
        var r = CliRunner.Run("record", "--env", "CartPole-v1", "--episodes", "2", "--seed", "1", "--out", path, "--width", "300");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        var m = System.Text.RegularExpressions.Regex.Match(r.Output, @"\((\d+) frames, (\d+)×(\d+)");
        Assert.That(m.Success, Is.True, r.Output);
        int frames = int.Parse(m.Groups[1].Value);
        var probed = Probe(path);
        Assert.That(probed, Is.EqualTo((frames, int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value))));
        Assert.That(probed.Width, Is.EqualTo(300));
        Assert.That(frames, Is.GreaterThan(10));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temp files left");
    }

    [Test]
    public void Png_snapshot_from_the_command_line()
    {
        string path = Path.Combine(_dir, "frame.png");
        var r = CliRunner.Run("record", "--env", "GridWorld-FourRooms-v0", "--png", "--out", path);
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        using var bmp = SKBitmap.Decode(path);
        Assert.That(bmp.Width, Is.GreaterThan(100));
    }

    [Test]
    public void Bad_output_path_and_extension_are_refused()
    {
        var r = CliRunner.Run("record", "--env", "CartPole-v1", "--out", Path.Combine(_dir, "missing", "x.mp4"));
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain("does not exist"));
        r = CliRunner.Run("record", "--env", "CartPole-v1", "--out", Path.Combine(_dir, "x.avi"));
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Error, Does.Contain(".mp4 or .gif"));
    }

    [Test]
    public void Missing_ffmpeg_is_explained()
    {
        WithEnvironment("PATH", _dir, () =>
        {
            var r = CliRunner.Run("record", "--env", "CartPole-v1", "--out", Path.Combine(_dir, "x.mp4"));
            Assert.That(r.ExitCode, Is.EqualTo(2));
            Assert.That(r.Error, Does.Contain("ffmpeg was not found").And.Contain("install-system-deps"));
        });
    }

    [Test]
    public void Missing_display_is_explained_and_suggests_record()
    {
        WithEnvironment("DISPLAY", null, () =>
        {
            var r = CliRunner.Run("watch", "--env", "CartPole-v1", "--episodes", "1");
            Assert.That(r.ExitCode, Is.EqualTo(2));
            Assert.That(r.Error, Does.Contain("No display available").And.Contain("deeprl record"));
        });
    }

    [Test]
    public void Training_survives_a_failing_video_capture()
    {
        // No ffmpeg on PATH: every capture fails.
        WithEnvironment("PATH", _dir, () =>
        {
            var r = CliRunner.Run("train", "--env", "CartPole-v1", "--steps", "600", "--set", "learning_starts=100", "--set", "net_arch=8",
                "--eval-episodes", "1", "--video-every", "5", "--out", _dir, "--no-progress");
            Assert.That(r.ExitCode, Is.Zero, r.Error);
            Assert.That(r.Output, Does.Contain("status: completed after 600 steps"));
        });
    }

    [Test]
    public void Training_captures_videos_every_k_episodes()
    {
        var r = CliRunner.Run("train", "--env", "CartPole-v1", "--steps", "400", "--set", "learning_starts=100", "--set", "net_arch=8",
            "--eval-episodes", "1", "--video-every", "5", "--out", _dir, "--no-progress");
        Assert.That(r.ExitCode, Is.Zero, r.Error);
        string videos = Path.Combine(Directory.GetDirectories(_dir).Single(), "videos");
        var files = Directory.GetFiles(videos, "*.mp4");
        Assert.That(files, Is.Not.Empty);
        Assert.That(Probe(files[0]).Frames, Is.GreaterThan(1));
    }

    [Test]
    public void Watch_plays_episodes_in_a_window_and_ends_cleanly()
    {
        using var xvfb = VirtualDisplay.Start();
        string? previous = Environment.GetEnvironmentVariable("DISPLAY");
        VirtualDisplay.SetDisplay(xvfb.Display);
        try
        {
            var r = CliRunner.Run("watch", "--env", "GridWorld-TMaze-v0", "--episodes", "2", "--fps", "240", "--seed", "1");
            Assert.That(r.ExitCode, Is.Zero, r.Error);
            Assert.That(r.Output, Does.Contain("watched 2 episode(s) of GridWorld-TMaze-v0"));
        }
        finally
        {
            VirtualDisplay.SetDisplay(previous);
        }
    }

    [Test]
    public void Sdl_window_under_xvfb_shows_the_episode_frame()
    {
        using var xvfb = VirtualDisplay.Start();
        string? previous = Environment.GetEnvironmentVariable("DISPLAY");
        VirtualDisplay.SetDisplay(xvfb.Display);
        try
        {
            var env = new CartPole();
            env.Reset(3);
            var player = new EpisodePlayer(env, new DeepRL.Environments.Evaluation.RandomPolicy(env.ActionSpace, 1), 3);
            using var renderer = new FrameRenderer(400, 300);
            using var viewer = SdlViewer.Open("test", 400, 300, 0, 0);
            for (int i = 0; i < 5; i++) player.Step();
            var frame = renderer.Render(player.Drawable, null);
            for (int k = 0; k < 5; k++)
            {
                viewer.Show(frame.Rgba);
                viewer.Poll();
                Thread.Sleep(50);
            }
            string shot = Path.Combine(_dir, "screen.png");
            var grab = Process.Start(new ProcessStartInfo("ffmpeg", ["-v", "error", "-y", "-f", "x11grab", "-video_size", "400x300", "-i", $"{xvfb.Display}+0,0", "-frames:v", "1", shot])
                { RedirectStandardError = true })!;
            string err = grab.StandardError.ReadToEnd();
            grab.WaitForExit();
            Assert.That(grab.ExitCode, Is.Zero, err);
            using var screen = SKBitmap.Decode(shot);
            int matching = 0, total = 0, nonBlack = 0;
            for (int y = 0; y < 300; y += 5)
            {
                for (int x = 0; x < 400; x += 5)
                {
                    var s = screen.GetPixel(x, y);
                    var f = frame.Pixel(x, y);
                    total++;
                    if (Math.Abs(s.Red - f.R) <= 3 && Math.Abs(s.Green - f.G) <= 3 && Math.Abs(s.Blue - f.B) <= 3) matching++;
                    if (s.Red + s.Green + s.Blue > 30) nonBlack++;
                }
            }
            Assert.That(nonBlack, Is.GreaterThan(total / 2), "the window is not black");
            Assert.That(matching, Is.GreaterThan(total * 98 / 100), $"{matching}/{total} sampled pixels match the episode frame");
        }
        finally
        {
            VirtualDisplay.SetDisplay(previous);
        }
    }
}

/// <summary>A private Xvfb server for one test (installed by scripts/install-system-deps.sh).</summary>
public sealed class VirtualDisplay : IDisposable
{
    private readonly Process _process;

    private VirtualDisplay(Process process, string display) => (_process, Display) = (process, display);

    public string Display { get; }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setenv")]
    private static extern int NativeSetEnv(string name, string value, int overwrite);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "unsetenv")]
    private static extern int NativeUnsetEnv(string name);

    /// <summary>Sets DISPLAY for .NET and for native code (SDL reads the C environment, which .NET's copy does not change).</summary>
    public static void SetDisplay(string? display)
    {
        Environment.SetEnvironmentVariable("DISPLAY", display);
        if (display is null) NativeUnsetEnv("DISPLAY");
        else NativeSetEnv("DISPLAY", display, 1);
    }

    /// <summary>
    /// Starts Xvfb on a display it picks itself (-displayfd: no guessing at free numbers, which stale lock files of
    /// killed servers used to exhaust) and waits for its socket.
    /// </summary>
    public static VirtualDisplay Start()
    {
        Process p;
        try
        {
            p = Process.Start(new ProcessStartInfo("Xvfb", ["-displayfd", "1", "-screen", "0", "640x480x24", "-nolisten", "tcp"])
                { RedirectStandardError = true, RedirectStandardOutput = true })!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("Could not start Xvfb (install it with scripts/install-system-deps.sh).");
        }
        var line = p.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(20)) || !int.TryParse(line.Result, out int n))
        {
            if (!p.HasExited) p.Kill();
            throw new InvalidOperationException($"Xvfb did not report its display: {p.StandardError.ReadToEnd()}");
        }
        for (int i = 0; i < 100 && !File.Exists($"/tmp/.X11-unix/X{n}"); i++) Thread.Sleep(50);
        return new VirtualDisplay(p, $":{n}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int NativeKill(int pid, int signal);

    /// <summary>SIGTERM first: Xvfb then removes its lock file and socket (a SIGKILLed one leaves them behind).</summary>
    public void Dispose()
    {
        if (!_process.HasExited) _ = NativeKill(_process.Id, 15);
        if (!_process.WaitForExit(5000)) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
