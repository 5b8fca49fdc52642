using System.Diagnostics;

namespace DeepRL.Rendering;

/// <summary>
/// Encodes frames into an MP4 (H.264) or GIF by piping raw RGBA frames into Debian's <c>ffmpeg</c> — no
/// temporary image files. The output appears only when <see cref="Dispose"/> finishes the encode; it is
/// written to a temp name first and renamed, so a failed encode never leaves a broken file behind.
/// </summary>
public sealed class VideoWriter : IDisposable
{
    private readonly Process _ffmpeg;
    private readonly Stream _stdin;
    private readonly string _path;
    private readonly string _tmp;
    private readonly Task<string> _stderr;
    private bool _finished;

    public VideoWriter(string path, int width, int height, int fps)
    {
        _path = Path.GetFullPath(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".mp4" or ".gif"))
            throw new ArgumentException($"Video output '{path}' must end in .mp4 or .gif.");
        string? dir = Path.GetDirectoryName(_path);
        if (dir is null || !Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Cannot write '{path}': folder '{dir}' does not exist.");
        if (width % 2 != 0 || height % 2 != 0) throw new ArgumentException("Video frames need even width and height.");
        if (fps <= 0) throw new ArgumentOutOfRangeException(nameof(fps), fps, "--fps must be positive.");
        Width = width;
        Height = height;
        _tmp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}{ext}");

        var psi = new ProcessStartInfo(FindFfmpeg())
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgba",
                     "-s", $"{width}x{height}", "-r", fps.ToString(), "-i", "-" })
            psi.ArgumentList.Add(a);
        var codec = ext == ".gif"
            ? new[] { "-vf", "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse", "-loop", "0" }
            : new[] { "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-crf", "20", "-movflags", "+faststart" };
        foreach (var a in codec) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(_tmp);
        _ffmpeg = Process.Start(psi) ?? throw new InvalidOperationException("Could not start ffmpeg.");
        _stdin = _ffmpeg.StandardInput.BaseStream;
        _stderr = _ffmpeg.StandardError.ReadToEndAsync();
        _ffmpeg.StandardOutput.ReadToEndAsync();
    }

    public int Width { get; }

    public int Height { get; }

    public int FramesWritten { get; private set; }

    /// <summary>The ffmpeg executable on PATH, or a clear error saying how to install it.</summary>
    public static string FindFfmpeg()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "ffmpeg");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("ffmpeg was not found on PATH; video recording needs it. Install it with scripts/install-system-deps.sh (or apt-get install ffmpeg).");
    }

    public void Write(Frame frame)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"Frame is {frame.Width}×{frame.Height}; this video is {Width}×{Height}.");
        Write(frame.Rgba);
    }

    public void Write(ReadOnlySpan<byte> rgba)
    {
        try
        {
            _stdin.Write(rgba);
            FramesWritten++;
        }
        catch (IOException ex)
        {
            throw new IOException($"ffmpeg stopped accepting frames for '{_path}': {Stderr()} ({ex.Message})", ex);
        }
    }

    private string Stderr() => _ffmpeg.HasExited ? _stderr.Result.Trim() : "";

    /// <summary>Closes the stream, waits for ffmpeg, and moves the finished file into place.</summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        _stdin.Close();
        _ffmpeg.WaitForExit();
        if (_ffmpeg.ExitCode != 0 || !File.Exists(_tmp))
        {
            if (File.Exists(_tmp)) File.Delete(_tmp);
            throw new IOException($"ffmpeg failed to encode '{_path}' (exit {_ffmpeg.ExitCode}): {_stderr.Result.Trim()}");
        }
        File.Move(_tmp, _path, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            Finish();
        }
        finally
        {
            if (!_ffmpeg.HasExited) _ffmpeg.Kill();
            _ffmpeg.Dispose();
            if (File.Exists(_tmp)) File.Delete(_tmp);
        }
    }
}
