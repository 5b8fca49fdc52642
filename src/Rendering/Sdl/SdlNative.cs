using System.Runtime.InteropServices;

namespace DeepRL.Rendering.Sdl;

/// <summary>
/// The handful of SDL2 functions the viewer needs, bound to Debian's <c>libSDL2-2.0.so.0</c>
/// (package libsdl2-2.0-0) — the same library behind pygame and Gymnasium's human render mode.
/// </summary>
internal static partial class SdlNative
{
    private const string Lib = "libSDL2-2.0.so.0";

    public const uint InitVideo = 0x20;
    public const uint WindowShown = 0x4;
    public const int WindowPosCentered = 0x2FFF0000;
    public const uint RendererSoftware = 0x1;
    public const uint PixelFormatAbgr8888 = 0x16762004; // RGBA byte order in memory on little-endian machines
    public const int TextureAccessStreaming = 1;
    public const uint EventQuit = 0x100;
    public const uint EventWindow = 0x200;
    public const uint EventKeyDown = 0x300;
    public const byte WindowEventClose = 14;

    [LibraryImport(Lib, EntryPoint = "SDL_Init")]
    public static partial int Init(uint flags);

    [LibraryImport(Lib, EntryPoint = "SDL_Quit")]
    public static partial void Quit();

    [LibraryImport(Lib, EntryPoint = "SDL_GetError")]
    public static partial IntPtr GetErrorPtr();

    public static string GetError() => Marshal.PtrToStringUTF8(GetErrorPtr()) ?? "";

    [LibraryImport(Lib, EntryPoint = "SDL_CreateWindow", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr CreateWindow(string title, int x, int y, int w, int h, uint flags);

    [LibraryImport(Lib, EntryPoint = "SDL_DestroyWindow")]
    public static partial void DestroyWindow(IntPtr window);

    [LibraryImport(Lib, EntryPoint = "SDL_CreateRenderer")]
    public static partial IntPtr CreateRenderer(IntPtr window, int index, uint flags);

    [LibraryImport(Lib, EntryPoint = "SDL_DestroyRenderer")]
    public static partial void DestroyRenderer(IntPtr renderer);

    [LibraryImport(Lib, EntryPoint = "SDL_CreateTexture")]
    public static partial IntPtr CreateTexture(IntPtr renderer, uint format, int access, int w, int h);

    [LibraryImport(Lib, EntryPoint = "SDL_DestroyTexture")]
    public static partial void DestroyTexture(IntPtr texture);

    [LibraryImport(Lib, EntryPoint = "SDL_UpdateTexture")]
    public static unsafe partial int UpdateTexture(IntPtr texture, IntPtr rect, byte* pixels, int pitch);

    [LibraryImport(Lib, EntryPoint = "SDL_RenderClear")]
    public static partial int RenderClear(IntPtr renderer);

    [LibraryImport(Lib, EntryPoint = "SDL_RenderCopy")]
    public static partial int RenderCopy(IntPtr renderer, IntPtr texture, IntPtr src, IntPtr dst);

    [LibraryImport(Lib, EntryPoint = "SDL_RenderPresent")]
    public static partial void RenderPresent(IntPtr renderer);

    /// <summary>SDL_Event is a 56-byte union; the viewer reads the type, window event id and key symbol from it.</summary>
    [LibraryImport(Lib, EntryPoint = "SDL_PollEvent")]
    public static unsafe partial int PollEvent(byte* eventBuffer);

    [LibraryImport(Lib, EntryPoint = "SDL_Delay")]
    public static partial void Delay(uint ms);
}
