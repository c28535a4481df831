/// LessonKit's words for stepping through a lesson in class (cells, pauses, the status line).
extension Catalogue {
    static let stepKeys = Localized(
        en: "Keys: Enter or space  next · c  run to the end · q  quit · ?  this list",
        zh: "按键：回车或空格  继续 · c  运行到底 · q  退出 · ?  显示本列表")
    static let keysPrompt = Localized(en: "[space] next · c run to end · q quit · ? keys › ",
                                      zh: "[空格] 继续 · c 运行到底 · q 退出 · ? 按键 › ")
    static let shortKeysPrompt = Localized(en: "? keys › ", zh: "? 按键 › ")
    static let cell = Localized(en: "Cell", zh: "单元")
    static let cells = Localized(en: "Cells", zh: "单元")
    static func stoppedAtCell(_ k: Int, of n: Int) -> Localized {
        Localized(en: "Stopped at cell \(k) of \(n).", zh: "停在第 \(k) 个单元（共 \(n) 个）。")
    }
    static func next(_ what: String) -> Localized { Localized(en: "next: \(what)", zh: "下一个：\(what)") }
    static let moreOfCell = Localized(en: "more of this cell", zh: "本单元未完")
    static let end = Localized(en: "the end", zh: "结束")
}
