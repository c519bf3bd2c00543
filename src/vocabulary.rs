//! The declared vocabularies: fields (分野) with their categories (項目), departments (部局) with their
//! sections (課), and accounts (会計).
//!
//! They live in one file, `content/vocabulary.toml`, so that a project naming something undeclared is an
//! error rather than a new page, and so that display order and URL slugs are decided in one place.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::toml_errors;

pub const VOCABULARY_FILE: &str = "content/vocabulary.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    pub accounts: Vec<Term>,
    pub fields: Vec<Field>,
    pub departments: Vec<Department>,
    /// Spellings search treats as one (子ども／子供／こども); [`DEFAULT_VARIANTS`] when not given.
    #[serde(default)]
    pub variants: Option<Vec<Vec<String>>>,
}

/// The variant spellings search knows when the vocabulary declares none: a query holding one
/// spelling of a group also finds the others. Whole words with okurigana or kanji/kana variants,
/// common in public-sector text.
pub const DEFAULT_VARIANTS: &[&[&str]] = &[
    &["こども", "子ども", "子供"],
    &["障害", "障がい", "障碍"],
    &["取組", "取り組み", "取組み"],
    &["手続き", "手続"],
    &["問い合わせ", "問合せ", "問い合せ", "問合わせ"],
    &["申し込み", "申込み", "申込"],
    &["受付", "受け付け"],
];

/// A name with its URL slug.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub slug: String,
    pub name: String,
    pub categories: Vec<Term>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub slug: String,
    pub name: String,
    pub sections: Vec<Section>,
    #[serde(default)]
    pub contact: Contact,
}

/// A section (課) of a department, with how to reach it when the vocabulary says.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub contact: Contact,
}

/// How citizens reach a department or a section: only what the vocabulary declares. The roadmap
/// gives none of these, so each is absent unless someone who knows writes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// 電話番号, as written (`017-734-9999`).
    pub phone: Option<toml::Spanned<String>>,
    /// メールアドレス.
    pub email: Option<toml::Spanned<String>>,
    /// The section's own web page.
    pub url: Option<toml::Spanned<String>>,
}

impl Contact {
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_ref().map(|s| s.get_ref().as_str())
    }

    pub fn email(&self) -> Option<&str> {
        self.email.as_ref().map(|s| s.get_ref().as_str())
    }

    pub fn url(&self) -> Option<&str> {
        self.url.as_ref().map(|s| s.get_ref().as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none() && self.url.is_none()
    }

    /// A phone number that is not one, an e-mail address without a domain, a URL that is not a
    /// public web address: each an error at its value.
    fn problems(&self, owner: &str, file: &SourceFile, errors: &mut Vec<Diagnostic>) {
        let mut unreadable = |value: &Option<toml::Spanned<String>>,
                              readable: fn(&str) -> bool,
                              what: &str,
                              key: &str,
                              hint: &str| {
            if let Some(value) = value
                && !readable(value.get_ref())
            {
                errors.push(
                    file.error_at(
                        value.span(),
                        format!(
                            "{owner}の{what}「{}」は{what}として読めません。",
                            value.get_ref()
                        ),
                    )
                    .with_key(key)
                    .with_hint(hint),
                );
            }
        };
        unreadable(
            &self.phone,
            is_phone_number,
            "電話番号",
            "contact.phone",
            "phone = \"017-734-9999\" のように、半角の数字とハイフンで、市外局番から書きます。",
        );
        unreadable(
            &self.email,
            is_email_address,
            "メールアドレス",
            "contact.email",
            "email = \"dx@pref.example.lg.jp\" のように、半角で、@ の後にドメイン名を書きます。",
        );
        if let Some(url) = &self.url {
            let problem = match crate::config::web_url(url.get_ref()) {
                Err(crate::config::UrlError(message)) => Some(message),
                Ok(()) if crate::config::is_local(url.get_ref()) => Some(format!(
                    "「{}」はこのコンピューターのアドレスです。公開するページには使えません。",
                    url.get_ref()
                )),
                Ok(()) => None,
            };
            if let Some(message) = problem {
                errors.push(
                    file.error_at(url.span(), format!("{owner}のウェブページ: {message}"))
                        .with_key("contact.url")
                        .with_hint("url = \"https://www.pref.aomori.lg.jp/soshiki/…\" のように、公開されているページのURLを書きます。"),
                );
            }
        }
    }
}

/// A Japanese phone number as people write it: ASCII digits with hyphens or parentheses, starting
/// with 0, 10 or 11 digits (固定電話・携帯電話・0120).
fn is_phone_number(text: &str) -> bool {
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '(' | ')'));
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    allowed && digits.starts_with('0') && (10..=11).contains(&digits.len())
}

/// `local@domain.tld` in ASCII, without spaces: enough to catch slips, not a full RFC 5322 check.
fn is_email_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let plain = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '@' | '"' | '<' | '>' | '\\'))
    };
    plain(local)
        && plain(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// A field (分野), by its position in the vocabulary (its display order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldId(usize);

/// A department (部局), by its position in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DepartmentId(usize);

/// An account (会計), by its position in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(usize);

impl AccountId {
    /// The first account declared (一般会計): a project that names none is in it.
    pub const DEFAULT: AccountId = AccountId(0);
}

impl FieldId {
    /// The position in the vocabulary: what lists in vocabulary order are indexed by.
    pub(crate) fn index(self) -> usize {
        self.0
    }
}

impl DepartmentId {
    /// The position in the vocabulary: what lists in vocabulary order are indexed by.
    pub(crate) fn index(self) -> usize {
        self.0
    }
}

/// A category, by its field and its position among the field's categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CategoryId {
    pub field: FieldId,
    pub category: usize,
}

/// A section, by its department and its position among the department's sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SectionId {
    pub department: DepartmentId,
    pub section: usize,
}

impl Vocabulary {
    /// Reads `content/vocabulary.toml` under `root`.
    pub fn load(root: &Path) -> Result<Vocabulary, Vec<Diagnostic>> {
        Vocabulary::load_file(root, Path::new(VOCABULARY_FILE))
    }

    /// Reads the vocabulary file `relative` (to `root`): an edition's own, `content/r7/vocabulary.toml`.
    pub fn load_file(root: &Path, relative: &Path) -> Result<Vocabulary, Vec<Diagnostic>> {
        let text = std::fs::read_to_string(root.join(relative)).map_err(|e| {
            vec![Diagnostic::in_file(
                relative,
                format!("語彙ファイルを読めません: {e}"),
            )]
        })?;
        Vocabulary::parse(&SourceFile::new(relative, text))
    }

    /// Validates the text of a vocabulary file.
    pub fn parse(file: &SourceFile) -> Result<Vocabulary, Vec<Diagnostic>> {
        let vocabulary: Vocabulary = toml::from_str(&file.text)
            .map_err(|e| vec![toml_errors::to_diagnostic(file, 0, &e)])?;
        let errors = vocabulary.problems(file);
        if errors.is_empty() {
            Ok(vocabulary)
        } else {
            Err(errors)
        }
    }

    /// Duplicate names or slugs, bad slugs, empty lists.
    fn problems(&self, file: &SourceFile) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let mut check = |what: &str, terms: Vec<(&str, &str)>| {
            if terms.is_empty() {
                errors.push(file.error(format!("{what}が1つも宣言されていません。")));
            }
            let mut slugs = HashSet::new();
            let mut names = HashSet::new();
            for (slug, name) in terms {
                if !is_slug(slug) {
                    errors.push(file.error(format!(
                        "{what}「{name}」の slug \"{slug}\" は使えません。半角英小文字・数字・ハイフンで書きます。"
                    )));
                }
                if !slugs.insert(slug) {
                    errors.push(file.error(format!("{what}の slug \"{slug}\" が重複しています。")));
                }
                if !names.insert(name) {
                    errors.push(file.error(format!("{what}「{name}」が重複しています。")));
                }
                if name.trim().is_empty() || name.chars().any(crate::terminal::is_hidden) {
                    errors.push(
                        file.error(format!(
                            "{what}「{}」の名前が空か、見えない文字（制御文字や幅のない文字）を含みます。",
                            crate::terminal::visible(name)
                        ))
                        .with_hint("名前を書き直してください（同じに見える2つの名前を作らないためです）。"),
                    );
                }
            }
        };
        check("会計", self.accounts.iter().map(term).collect());
        check(
            "分野",
            self.fields.iter().map(|f| (&*f.slug, &*f.name)).collect(),
        );
        for field in &self.fields {
            check(
                &format!("分野「{}」の項目", field.name),
                field.categories.iter().map(term).collect(),
            );
        }
        check(
            "部局",
            self.departments
                .iter()
                .map(|d| (&*d.slug, &*d.name))
                .collect(),
        );
        for department in &self.departments {
            check(
                &format!("部局「{}」の課", department.name),
                department
                    .sections
                    .iter()
                    .map(|s| (&*s.slug, &*s.name))
                    .collect(),
            );
        }
        let mut contact_errors = Vec::new();
        for department in &self.departments {
            let owner = format!("部局「{}」", department.name);
            department
                .contact
                .problems(&owner, file, &mut contact_errors);
            for section in &department.sections {
                let owner = format!("{owner}の課「{}」", section.name);
                section.contact.problems(&owner, file, &mut contact_errors);
            }
        }
        errors.append(&mut contact_errors);
        for group in self.variants.iter().flatten() {
            if group.len() < 2 || group.iter().any(|v| v.trim().is_empty()) {
                errors.push(
                    file.error(format!(
                        "variants の組「{}」には、空でない書き方を2つ以上書きます。",
                        group.join("／")
                    ))
                    .with_key("variants")
                    .with_hint("variants = [[\"こども\", \"子ども\", \"子供\"]] のように、同じ言葉の書き方を組にして書きます。どれで検索しても、組のすべての書き方が見つかります。"),
                );
            }
            // Shown on the search page: nothing hidden, as in every other text.
            if let Some(c) = group
                .iter()
                .flat_map(|v| v.chars())
                .find(|&c| crate::terminal::is_hidden(c))
            {
                errors.push(
                    file.error(format!(
                        "variants の組「{}」に見えない文字（U+{:04X}）があります。",
                        crate::terminal::visible(&group.join("／")),
                        u32::from(c)
                    ))
                    .with_key("variants")
                    .with_hint(crate::terminal::HIDDEN_HINT),
                );
            }
        }
        errors
    }

    /// The variant spellings search treats as one: declared, or the defaults.
    pub fn search_variants(&self) -> Vec<Vec<String>> {
        self.variants.clone().unwrap_or_else(|| {
            DEFAULT_VARIANTS
                .iter()
                .map(|group| group.iter().map(|s| (*s).to_string()).collect())
                .collect()
        })
    }

    pub fn field_by_name(&self, name: &str) -> Option<FieldId> {
        self.fields.iter().position(|f| f.name == name).map(FieldId)
    }

    pub fn category_by_name(&self, field: FieldId, name: &str) -> Option<CategoryId> {
        let categories = &self.fields.get(field.0)?.categories;
        let category = categories.iter().position(|c| c.name == name)?;
        Some(CategoryId { field, category })
    }

    pub fn department_by_name(&self, name: &str) -> Option<DepartmentId> {
        self.departments
            .iter()
            .position(|d| d.name == name)
            .map(DepartmentId)
    }

    /// The section called `name` in one of `departments`.
    pub fn section_by_name(&self, departments: &[DepartmentId], name: &str) -> Option<SectionId> {
        departments.iter().find_map(|&department| {
            let section = self
                .departments
                .get(department.0)?
                .sections
                .iter()
                .position(|s| s.name == name)?;
            Some(SectionId {
                department,
                section,
            })
        })
    }

    /// The department that declares a section called `name`, if any.
    pub fn department_of_section(&self, name: &str) -> Option<&Department> {
        self.departments
            .iter()
            .find(|d| d.sections.iter().any(|s| s.name == name))
    }

    pub fn account_by_name(&self, name: &str) -> Option<AccountId> {
        self.accounts
            .iter()
            .position(|a| a.name == name)
            .map(AccountId)
    }

    pub fn field(&self, id: FieldId) -> &Field {
        &self.fields[id.0]
    }

    pub fn department(&self, id: DepartmentId) -> &Department {
        &self.departments[id.0]
    }

    pub fn account(&self, id: AccountId) -> &Term {
        &self.accounts[id.0]
    }

    pub fn category(&self, id: CategoryId) -> &Term {
        &self.fields[id.field.0].categories[id.category]
    }

    pub fn section(&self, id: SectionId) -> &Section {
        &self.departments[id.department.0].sections[id.section]
    }

    /// Every field, in display order.
    pub fn field_ids(&self) -> impl Iterator<Item = FieldId> + use<> {
        (0..self.fields.len()).map(FieldId)
    }

    /// Every department, in display order.
    pub fn department_ids(&self) -> impl Iterator<Item = DepartmentId> + use<> {
        (0..self.departments.len()).map(DepartmentId)
    }

    /// Every account, in display order.
    pub fn account_ids(&self) -> impl Iterator<Item = AccountId> + use<> {
        (0..self.accounts.len()).map(AccountId)
    }

    /// Every category, in display order.
    pub fn category_ids(&self) -> impl Iterator<Item = CategoryId> + '_ {
        self.fields.iter().enumerate().flat_map(|(field, f)| {
            (0..f.categories.len()).map(move |category| CategoryId {
                field: FieldId(field),
                category,
            })
        })
    }

    /// Every section of a department, in display order.
    pub fn section_ids(&self, department: DepartmentId) -> impl Iterator<Item = SectionId> + use<> {
        (0..self.departments[department.0].sections.len()).map(move |section| SectionId {
            department,
            section,
        })
    }
}

fn term(t: &Term) -> (&str, &str) {
    (&t.slug, &t.name)
}

/// A URL slug: lower-case ASCII letters, digits and single hyphens inside.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vocabulary, Vec<Diagnostic>> {
        Vocabulary::parse(&SourceFile::new(VOCABULARY_FILE, text.to_string()))
    }

    /// A small vocabulary for the crate's tests: two of each (one field).
    pub(crate) const SMALL: &str = r#"
accounts = [{ slug = "general", name = "一般会計" }, { slug = "hospital", name = "病院事業会計" }]
[[fields]]
slug = "f"
name = "分野"
categories = [{ slug = "a", name = "医療・福祉" }, { slug = "b", name = "学校教育" }]
[[departments]]
slug = "d"
name = "健康福祉部"
sections = [{ slug = "s", name = "医療薬務課" }]
[[departments]]
slug = "e"
name = "警察本部"
sections = [{ slug = "s", name = "総務課" }]
"#;

    #[test]
    fn variants_default_when_not_declared_and_are_checked_when_they_are() {
        let v = parse(SMALL).expect("valid");
        assert_eq!(v.search_variants().len(), DEFAULT_VARIANTS.len());
        let none = parse(&format!("variants = []\n{SMALL}")).expect("valid");
        assert!(none.search_variants().is_empty());
        let own = parse(&format!("variants = [[\"子供\", \"こども\"]]\n{SMALL}")).expect("valid");
        assert_eq!(own.search_variants(), [["子供", "こども"]]);
        let errors = parse(&format!("variants = [[\"子供\"], [\"a\", \" \"]]\n{SMALL}"))
            .expect_err("a group of one, a blank spelling");
        assert_eq!(errors.len(), 2);
        assert!(
            errors.iter().all(|e| e.to_string().contains("variants")),
            "{errors:?}"
        );
        let hidden = parse(&format!(
            "variants = [[\"子供\", \"こ\\u0001ども\"]]\n{SMALL}"
        ))
        .expect_err("a control character");
        assert!(
            hidden[0].to_string().contains("見えない文字（U+0001）"),
            "{hidden:?}"
        );
    }

    #[test]
    fn contacts_are_optional_and_each_way_is_checked_at_its_line() {
        let v = parse(SMALL).expect("valid");
        assert!(v.departments.iter().all(|d| d.contact.is_empty()));
        let declared = SMALL.replace(
            "sections = [{ slug = \"s\", name = \"医療薬務課\" }]",
            "contact = { url = \"https://www.example.lg.jp/kenko/\" }\nsections = [{ slug = \"s\", name = \"医療薬務課\", contact = { phone = \"017-734-9999\", email = \"iryo@example.lg.jp\" } }]",
        );
        let v = parse(&declared).expect("valid");
        let health = &v.departments[0];
        assert_eq!(
            health.contact.url(),
            Some("https://www.example.lg.jp/kenko/")
        );
        assert_eq!(health.sections[0].contact.phone(), Some("017-734-9999"));
        assert_eq!(
            health.sections[0].contact.email(),
            Some("iryo@example.lg.jp")
        );
        let slips = [
            ("017-734-9999", "０１７−７３４−９９９９", "contact.phone"),
            ("017-734-9999", "734-9999", "contact.phone"),
            ("iryo@example.lg.jp", "iryo@localhost", "contact.email"),
            ("iryo@example.lg.jp", "iryo.example.lg.jp", "contact.email"),
            (
                "https://www.example.lg.jp/kenko/",
                "www.example.lg.jp/kenko/",
                "contact.url",
            ),
            (
                "https://www.example.lg.jp/kenko/",
                "http://localhost:8000/",
                "contact.url",
            ),
        ];
        for (good, bad, key) in slips {
            let text = declared.replace(good, bad);
            let errors = parse(&text).expect_err(bad);
            assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
            let line = text.lines().position(|l| l.contains(bad)).expect("line") + 1;
            assert_eq!(errors[0].line(), line, "{bad}");
            let message = errors[0].to_string();
            assert!(message.contains(key) && message.contains(bad), "{message}");
        }
        let unknown = declared.replace("email =", "fax =");
        assert!(parse(&unknown).is_err(), "an unknown way is an error");
    }

    #[test]
    fn lookups_find_declared_names_only() {
        let v = parse(SMALL).expect("valid");
        let field = v.field_by_name("分野").expect("declared");
        assert_eq!(v.field(field).name, "分野");
        let category = v.category_by_name(field, "医療・福祉").expect("declared");
        assert_eq!(v.category(category).name, "医療・福祉");
        assert_eq!(v.category_by_name(field, "子育て"), None);
        let police = v.department_by_name("警察本部").expect("declared");
        assert_eq!(v.department(police).name, "警察本部");
        let health = v.department_by_name("健康福祉部").expect("declared");
        let section = v.section_by_name(&[police], "総務課").expect("declared");
        assert_eq!(section.department, police);
        assert_eq!(v.section(section).name, "総務課");
        assert_eq!(v.section_by_name(&[health], "総務課"), None);
        assert_eq!(v.account_by_name("一般会計"), Some(AccountId::DEFAULT));
    }

    #[test]
    fn duplicates_and_bad_slugs_are_errors() {
        let text = SMALL
            .replace("slug = \"e\"", "slug = \"d\"")
            .replace("slug = \"a\"", "slug = \"A b\"");
        let errors = parse(&text).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
    }

    #[test]
    fn slugs_are_lower_case_ascii() {
        assert!(is_slug("kenko-fukushi"));
        assert!(is_slug("r6"));
        assert!(!is_slug("Kenko"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
        assert!(!is_slug("医療"));
        assert!(!is_slug(""));
    }
}
